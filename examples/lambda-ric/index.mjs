// A Lambda handler as AWS documents it; aws-lambda-ric loads it as _HANDLER=index.handler.
// The module variable shows what a warm process keeps between invocations.
let invocations = 0;

export const handler = async (event, context) => {
  invocations += 1;
  console.log(`ric invocation ${invocations}, request ${context.awsRequestId}`);
  if (event && event.fail) throw new Error(`asked to fail: ${event.fail}`);
  return { echo: event, invocations, remainingMs: context.getRemainingTimeInMillis() > 0 };
};
