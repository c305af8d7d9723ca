// "Validated once per process": a boot builds every config namespace and then the server and the
// app factory read the environment again; all of them must share one validation. Counted where
// validation starts, reading process.env: a factory that went back to readEnvironment(process.env)
// would read it a second time and fail the count.
import { ConfigModule } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import * as namespaces from './index.js';
import { forgetProcessEnvironment, processEnvironment } from './environment.js';

/** Every registerAs factory of src/config (a namespace added later is counted too). */
const FACTORIES = Object.values(namespaces).filter(
  (value): value is typeof namespaces.appConfig => typeof value === 'function' && 'KEY' in value,
);
/** A variable only Vigil's validation reads; one read of it is one validation. */
const PROBE = 'SYNC_CIRCUIT_FAILURES';

describe(processEnvironment.name, () => {
  const original = process.env;
  let validations: number;

  beforeEach(() => {
    validations = 0;
    process.env = new Proxy(
      { ...original },
      {
        get(target, key, receiver) {
          if (key === PROBE) validations += 1;
          return Reflect.get(target, key, receiver) as unknown;
        },
      },
    );
    forgetProcessEnvironment();
  });

  afterEach(() => {
    process.env = original;
    forgetProcessEnvironment();
  });

  it('validates the environment once for every config namespace, the server and the app factory', async () => {
    expect(FACTORIES.map((factory) => factory.KEY).sort()).toEqual([
      'CONFIGURATION(app)',
      'CONFIGURATION(auth)',
      'CONFIGURATION(database)',
      'CONFIGURATION(enrichment)',
      'CONFIGURATION(ingestion)',
      'CONFIGURATION(throttle)',
      'CONFIGURATION(webhook)',
    ]);
    const sut = await Test.createTestingModule({
      imports: [ConfigModule.forRoot({ ignoreEnvFile: true, load: FACTORIES })],
    }).compile();
    processEnvironment(); // server.ts
    processEnvironment(); // app.factory.ts

    expect(validations).toBe(1);
    await sut.close();
  });

  it('serves the values validated first, even when process.env changes afterwards', () => {
    process.env.SYNC_CIRCUIT_FAILURES = '7';
    expect(processEnvironment().SYNC_CIRCUIT_FAILURES).toBe(7);
    process.env.SYNC_CIRCUIT_FAILURES = 'not a number';
    expect(processEnvironment().SYNC_CIRCUIT_FAILURES).toBe(7);
    expect(validations).toBe(1);
  });

  it('reads process.env again after forgetProcessEnvironment (how specs that change it re-read)', () => {
    process.env.SYNC_CIRCUIT_FAILURES = '7';
    expect(processEnvironment().SYNC_CIRCUIT_FAILURES).toBe(7);
    process.env.SYNC_CIRCUIT_FAILURES = '9';
    forgetProcessEnvironment();
    expect(processEnvironment().SYNC_CIRCUIT_FAILURES).toBe(9);
    expect(validations).toBe(2);
  });

  it('keeps no failed read: the next call validates again and throws again', () => {
    process.env.SYNC_CIRCUIT_FAILURES = 'not a number';
    expect(() => processEnvironment()).toThrow(/SYNC_CIRCUIT_FAILURES/);
    expect(() => processEnvironment()).toThrow(/SYNC_CIRCUIT_FAILURES/);
    expect(validations).toBe(2);
  });
});
