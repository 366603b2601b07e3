import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'chai';
import { CliUser, ensureBaseImages, imagePresent, repoRoot, startPlatformProcess, type PlatformProcess } from './support.js';

/** examples/lambda-ric: AWS's aws-lambda-ric, unmodified, as the process of a process-mode function. */
const RIC_IMAGE = 'faas-example/lambda-ric:latest';

interface Record_ {
  status: string;
  result: string | null;
  logs: string | null;
}

describe("aws-lambda-ric (AWS's Runtime Interface Client), unmodified, against the supervisor's Runtime API", function () {
  this.timeout(180_000);
  /** Unset when the before hook skips (no image): the after hook still runs. */
  let platform: PlatformProcess | undefined;
  let user: CliUser;

  before(async function () {
    // The client's native part compiles curl and aws-lambda-cpp: minutes, once (then the image is kept).
    this.timeout(2_400_000);
    if (!imagePresent(RIC_IMAGE) && process.env.FAAS_TEST_LAMBDA_RIC !== '1') {
      // Compiling curl and aws-lambda-cpp takes longer than the whole suite's budget: pending (not
      // passed) unless the image is built (examples/lambda-ric/build.sh) or FAAS_TEST_LAMBDA_RIC=1.
      this.skip();
    }
    ensureBaseImages();
    if (!imagePresent(RIC_IMAGE)) {
      const build = spawnSync('bash', [join(repoRoot, 'examples/lambda-ric/build.sh'), RIC_IMAGE], { encoding: 'utf8' });
      expect(build.status, `${build.stdout}${build.stderr}`).to.equal(0);
    }
    const started = (platform = await startPlatformProcess());
    user = new CliUser(started.url);
    await user.registerAndLogin();
    // aws-lambda-ric 4 refuses an invocation unless Lambda's log group and stream variables are
    // set: the spawner sets them in process mode (process-mode.ts), as Lambda does.
    user.writeStack(`functions:\n  ric:\n    image: ${RIC_IMAGE}\n    runtime: process\n`);
    await user.ok(['deploy']);
  });
  after(() => platform?.process.stop());

  it('runs the handler: the event as sent, the result as JSON, one process for successive invocations', async () => {
    const first = await user.json<Record_>(['invoke', 'ric', '{"n":1}']);
    expect(first.status, first.logs ?? '').to.equal('succeeded');
    expect(JSON.parse(first.result ?? '')).to.deep.equal({ echo: { n: 1 }, invocations: 1, remainingMs: true });
    expect(first.logs).to.match(/ric invocation 1, request \S+/);

    const second = await user.json<Record_>(['invoke', 'ric', 'plain text']);
    expect(JSON.parse(second.result ?? '')).to.deep.equal({ echo: 'plain text', invocations: 2, remainingMs: true });
    expect(second.logs).to.match(/ric invocation 2/);
    expect(second.logs).not.to.match(/ric invocation 1/);
  });

  it("makes a thrown error a failed execution with the client's error in the logs, and the process serves on", async () => {
    const run = await user.run(['--json', 'invoke', 'ric', '{"fail":"on purpose"}']);
    const failed = JSON.parse(run.stdout) as Record_;
    expect(run.code).to.not.equal(0);
    expect(failed.status).to.equal('failed');
    expect(failed.logs).to.include('asked to fail: on purpose');
    const after = await user.json<Record_>(['invoke', 'ric', '{"n":3}']);
    expect(after.status, after.logs ?? '').to.equal('succeeded');
    expect(JSON.parse(after.result ?? '')).to.deep.include({ echo: { n: 3 } });
  });
});
