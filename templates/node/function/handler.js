// A Lambda-style handler: `event` is the invocation's argument (JSON when it parses, else the
// string), the return value is the result (a string as-is, anything else as JSON).
// What it logs is the execution's logs. Module variables live as long as the warm process.
let invocations = 0;

export const handler = async (event, context) => {
  invocations += 1;
  console.log(`request ${context.awsRequestId ?? '-'}: invocation ${invocations} of this process`);
  const name = typeof event === 'string' ? event : (event?.name ?? 'world');
  return `Hello, ${name}!`;
};
