import { rejection } from '@faas/testing';
import { expect } from 'chai';
import { checkCallbackUrl } from '../src/callbacks/callbacks.js';

describe('publisher: callback URL policy (no SSRF)', () => {
  const refused = [
    'http://127.0.0.1:8080/hook',
    'http://127.10.0.1/hook',
    'http://localhost:9080/hook',
    'http://[::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://10.0.0.5/hook',
    'http://172.20.1.1/hook',
    'http://192.168.1.10/hook',
    'http://169.254.169.254/latest/meta-data',
    'http://100.64.0.1/hook',
    'http://0.0.0.0/hook',
    'http://[fe80::1]/hook',
    'http://[fd00::1]/hook',
    'http://[64:ff9b::7f00:1]/hook',
    'http://[64:ff9b::a9fe:a9fe]/latest/meta-data',
    'http://[64:ff9b:1::a00:1]/hook',
    'http://[2002:7f00:1::1]/hook',
    'http://[2002:a9fe:a9fe::1]/hook',
    'http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook',
    'http://[::127.0.0.1]/hook',
    'http://registry-service:8082/registry/functions',
    'http://nats-1:4222/',
    'http://printer.local/hook',
    'ftp://example.com/hook',
    'file:///etc/passwd',
    'not a url',
    'http://user:pw@example.com/hook',
  ];
  for (const url of refused) {
    it(`refuses ${url} by default`, async () => {
      const err = await rejection(checkCallbackUrl(url, { allowPrivate: false }));
      expect(err.code).to.equal('VALIDATION_FAILED');
    });
  }

  it('accepts a public address literal without contacting it', async () => {
    const url = await checkCallbackUrl('https://93.184.215.14/hook', { allowPrivate: false });
    expect(url.hostname).to.equal('93.184.215.14');
  });

  it('accepts loopback when the operator allows private targets', async () => {
    const url = await checkCallbackUrl('http://127.0.0.1:8080/hook', { allowPrivate: true });
    expect(url.port).to.equal('8080');
  });
});
