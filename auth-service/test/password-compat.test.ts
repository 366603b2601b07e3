import bcryptjs from 'bcryptjs';
import { expect } from 'chai';
import { createPasswordPool, type PasswordHasher } from '../src/password-hasher.js';

/** Made by bcryptjs 3.0.3 (the hasher before hash-wasm), as stored for existing users. */
const BCRYPTJS_HASH = '$2b$10$i5epsx9eO7luzhi/aKvYUOQ5L5KHEXcKeyi014rYNjkfsqiFzdS.S';

describe('auth: bcrypt on the worker pool (hash-wasm) keeps the bcryptjs hashes valid', () => {
  let pool: PasswordHasher;
  before(() => {
    pool = createPasswordPool(1);
  });
  after(() => pool.close());

  it('verifies a hash bcryptjs made, and refuses a wrong password against it', async () => {
    expect(await pool.compare('correct-horse-battery', BCRYPTJS_HASH)).to.equal(true);
    expect(await pool.compare('correct-horse-battery!', BCRYPTJS_HASH)).to.equal(false);
  });

  it('verifies bcryptjs hashes of non-ASCII passwords and of every prefix ($2a$, $2b$, $2y$)', async () => {
    const password = 'pässwörd-€-密码';
    const made = bcryptjs.hashSync(password, 4);
    for (const prefix of ['$2a$', '$2b$', '$2y$']) {
      expect(await pool.compare(password, prefix + made.slice(4)), prefix).to.equal(true);
    }
    expect(await pool.compare('passwörd-€-密码', made)).to.equal(false);
  });

  it('makes hashes that bcryptjs verifies, with a fresh salt each time and the asked cost', async () => {
    const [a, b] = await Promise.all([pool.hash('correct-horse-battery', 5), pool.hash('correct-horse-battery', 5)]);
    expect(a).to.match(/^\$2[aby]\$05\$[./A-Za-z0-9]{53}$/);
    expect(a).to.not.equal(b);
    expect(bcryptjs.compareSync('correct-horse-battery', a)).to.equal(true);
    expect(bcryptjs.compareSync('correct-horse-batterY', a)).to.equal(false);
  });

  it('answers false, not an error, for a stored value that is no bcrypt hash or a password past 72 bytes', async () => {
    expect(await pool.compare('correct-horse-battery', 'not-a-hash')).to.equal(false);
    expect(await pool.compare('x'.repeat(80), BCRYPTJS_HASH)).to.equal(false);
  });
});
