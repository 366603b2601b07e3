# A Lambda-style handler: `event` is the invocation's argument (JSON when it parses, else the
# string), the return value is the result (a string as-is, anything else as JSON).
# What it prints is the execution's logs. Module variables live as long as the warm process.
invocations = 0


def handler(event, context):
    global invocations
    invocations += 1
    print(f"request {context.aws_request_id or '-'}: invocation {invocations} of this process")
    name = event if isinstance(event, str) else (event or {}).get("name", "world")
    return f"Hello, {name}!"
