import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { signature, signingKey } from './webhook-signature.js';

describe('signature', () => {
  it("equals the Standard Webhooks package's signature and passes its verification", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 24, maxLength: 64 }),
        fc.uuid(),
        fc.integer({ min: 1_700_000_000, max: 2_000_000_000 }),
        fc.string({ unit: 'binary', maxLength: 2000 }),
        (keyBytes, id, seconds, text) => {
          const secret = `whsec_${Buffer.from(keyBytes).toString('base64')}`;
          const body = Buffer.from(text, 'utf8');
          const ours = signature(signingKey(secret), id, seconds, body);
          expect(ours).toBe(new Webhook(secret).sign(id, new Date(seconds * 1000), body));
        },
      ),
    );
  });

  it('verifies with the package for a message signed now', () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const body = JSON.stringify({
      type: 'alert.created',
      data: { alerts: [{ id: 'x', d: 'é ✓' }] },
    });
    const seconds = Math.floor(Date.now() / 1000);
    const headers = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(seconds),
      'webhook-signature': signature(signingKey(secret), 'msg_1', seconds, Buffer.from(body)),
    };
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow();
  });
});
