"""Starts one execution of a Step Functions state machine and waits for its end, with boto3 (the
SAM CLI's, in the project's virtualenv) and the caller's AWS credentials: for the curate command's
backfill (tools/query/backfill.ts).

Reads {"stateMachineArn", "name", "input"} on stdin; writes {"status", "reconciliation"?, "error"?,
"seconds"} on stdout. A failure to start or to describe it exits 1 with the reason on stderr.
"""

import json
import sys
import time

import boto3

RECONCILIATION = ("raw_records", "in_window", "out_of_window", "missing", "duplicated")


def main() -> int:
    request = json.load(sys.stdin)
    arn = request["stateMachineArn"]
    client = boto3.client("stepfunctions", region_name=arn.split(":")[3])
    started = time.monotonic()
    execution = client.start_execution(stateMachineArn=arn, name=request["name"], input=json.dumps(request["input"]))
    delay = 2.0
    while True:
        described = client.describe_execution(executionArn=execution["executionArn"])
        if described["status"] != "RUNNING" and described["status"] != "PENDING_REDRIVE":
            break
        time.sleep(delay)
        delay = min(delay * 1.5, 20.0)
    result = {"status": described["status"], "seconds": round(time.monotonic() - started, 1)}
    if described["status"] == "SUCCEEDED":
        output = json.loads(described.get("output") or "{}")
        result["reconciliation"] = {key: int(output.get(key, 0)) for key in RECONCILIATION}
    else:
        result["error"] = f"{described.get('error', '')}: {described.get('cause', '')}".strip(": ")
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as error:  # one line for the command to print: the AWS error's own message
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
