"""One cold start, run in a fresh interpreter by bench/coldstart.py.

    coldstart_child.py floor   import boto3, pydantic and chalice; create one DynamoDB client
    coldstart_child.py app     import the app and serve one request (BENCH_EVENT), DynamoDB
                               answered by botocore's Stubber (BENCH_ANSWERS) (the Lambda
                               runtime's path: import the handler module, then call
                               app(event, context)); prints its status and CPU per phase

The harness below imports only what both cases need; the event is built by the
parent and passed in BENCH_EVENT so that building it costs the child nothing.
"""

import json
import os
import sys
import time


def floor() -> None:
    import boto3
    import chalice
    import pydantic

    boto3.client("dynamodb", region_name=os.environ["AWS_REGION"])
    assert chalice
    assert pydantic
    print("ok")


def app() -> None:
    started = time.process_time()  # the interpreter's own start-up is before this
    sys.path.insert(0, os.environ["BENCH_BACKEND"])
    # The client the app builds for its first AWS call, answered by a Stubber.
    from botocore.stub import Stubber

    import app as handler_module  # the Lambda handler is app.app
    from chalicelib.adapters.aws import client

    imported = time.process_time()
    dynamodb = client("dynamodb")
    stubber = Stubber(dynamodb)
    for operation, answer in json.loads(os.environ["BENCH_ANSWERS"]):
        stubber.add_response(operation, answer)
    stubber.activate()
    response = handler_module.app(json.loads(os.environ["BENCH_EVENT"]), None)
    stubber.assert_no_pending_responses()
    done = time.process_time()
    # CPU seconds: before the app's code, its import, then the client and the request.
    phases = {"start": started, "import": imported - started, "request": done - imported}
    print(json.dumps({"status": response["statusCode"], "cpu": phases}))


if __name__ == "__main__":
    {"floor": floor, "app": app}[sys.argv[1]]()
