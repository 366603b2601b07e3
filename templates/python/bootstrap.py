"""The Python template's runtime: runs a Lambda handler unchanged.

Process mode (AWS_LAMBDA_RUNTIME_API set, by the warm container's supervisor): the AWS Lambda
Runtime API, one invocation at a time, for as long as the process lives:
  GET  /2018-06-01/runtime/invocation/next           -> the event (body) and its request id,
                                                         deadline and ARN (Lambda-Runtime-* headers)
  POST /2018-06-01/runtime/invocation/{id}/response  <- the handler's result, JSON
  POST /2018-06-01/runtime/invocation/{id}/error     <- {errorMessage, errorType, stackTrace}
  POST /2018-06-01/runtime/init/error                <- the same, when the handler cannot load
Exec mode (no AWS_LAMBDA_RUNTIME_API: the platform's default contract): the argument is the
last argv element; the result goes to stdout (a string as-is, anything else as JSON), an error
to stderr with exit code 1.

The handler is _HANDLER ("module.function", Lambda's convention, "pkg/module.function" too)
in LAMBDA_TASK_ROOT, called as handler(event, context).
"""
import http.client
import importlib
import json
import os
import sys
import time
import traceback

API = os.environ.get("AWS_LAMBDA_RUNTIME_API")
TASK_ROOT = os.environ.get("LAMBDA_TASK_ROOT", "/var/task")
HANDLER = os.environ.get("_HANDLER", "handler.handler")


class LambdaContext:
    """The attributes and method of Lambda's Python context object."""

    def __init__(self, headers):
        self.aws_request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", HANDLER)
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.client_context = None
        self.identity = None
        deadline = headers.get("Lambda-Runtime-Deadline-Ms")
        self._deadline_ms = int(deadline) if deadline else int(time.time() * 1000) + 60_000

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))


def load_handler():
    module_path, _, name = HANDLER.rpartition(".")
    if not module_path or not name:
        raise ValueError(f"Bad handler {HANDLER}: expected module.function")
    sys.path.insert(0, TASK_ROOT)
    module = importlib.import_module(module_path.replace("/", "."))
    handler = getattr(module, name, None)
    if not callable(handler):
        raise AttributeError(f"Handler '{name}' missing on module '{module_path}'")
    return handler


def error_body(err):
    return json.dumps({
        "errorMessage": str(err),
        "errorType": type(err).__name__,
        "stackTrace": traceback.format_tb(err.__traceback__),
    })


def parse_event(text):
    try:
        return json.loads(text)
    except ValueError:
        return text


class RuntimeApi:
    """One keep-alive connection to the supervisor's Runtime API."""

    def __init__(self, address):
        self.conn = http.client.HTTPConnection(address)

    def call(self, method, path, body=None, headers=None):
        self.conn.request(method, "/2018-06-01/runtime" + path, body=body, headers=headers or {})
        res = self.conn.getresponse()
        return res.status, res.headers, res.read()


def serve(api, handler):
    while True:
        status, headers, body = api.call("GET", "/invocation/next")
        if status != 200:
            raise RuntimeError(f"runtime API: /next answered {status}")
        context = LambdaContext(headers)
        path = f"/invocation/{context.aws_request_id}"
        try:
            result = json.dumps(handler(parse_event(body.decode("utf-8")), context))
        except Exception as err:  # noqa: BLE001 - every handler error is the invocation's error
            traceback.print_exc()
            api.call("POST", path + "/error", error_body(err), {"Lambda-Runtime-Function-Error-Type": "Unhandled"})
            continue
        api.call("POST", path + "/response", result, {"Content-Type": "application/json"})


def run_once(handler):
    """stdout is the result here: what the handler prints goes to stderr (the logs, as in process mode)."""
    argument = sys.argv[-1] if len(sys.argv) > 1 else ""
    sys.stdout = sys.stderr
    result = handler(parse_event(argument), LambdaContext({}))
    if result is not None:
        sys.__stdout__.write(result if isinstance(result, str) else json.dumps(result))
        sys.__stdout__.flush()


def main():
    api = RuntimeApi(API) if API else None
    try:
        handler = load_handler()
    except Exception as err:  # noqa: BLE001 - reported to the runtime API, then the process ends
        traceback.print_exc()
        if api:
            api.call("POST", "/init/error", error_body(err), {"Lambda-Runtime-Function-Error-Type": "Runtime.Unknown"})
        sys.exit(1)
    if api:
        serve(api, handler)
        return
    try:
        run_once(handler)
    except Exception:  # noqa: BLE001 - exec mode: the error is the run's logs and exit code
        traceback.print_exc()
        sys.exit(1)


if __name__ == "__main__":
    main()
