import { MockConfigurationError, readMockEnvironment } from './mock-environment.js';

function errorFor(env: NodeJS.ProcessEnv): string {
  try {
    readMockEnvironment(env);
  } catch (error) {
    expect(error).toBeInstanceOf(MockConfigurationError);
    return (error as Error).message;
  }
  throw new Error('expected a MockConfigurationError');
}

describe(readMockEnvironment.name, () => {
  it('applies the documented defaults, treating empty strings as unset', () => {
    expect(readMockEnvironment({ MOCK_SEED: '' })).toEqual({
      MOCK_PORT: 9000,
      MOCK_HOST: '0.0.0.0',
      MOCK_FAILURE_RATE: 0.2,
      MOCK_SEED: 1,
      MOCK_RATE_PER_MINUTE: 60,
      MOCK_BACKLOG: 0,
    });
  });

  it('reads given values with their types', () => {
    const sut = readMockEnvironment({
      MOCK_PORT: '9100',
      MOCK_HOST: '127.0.0.1',
      MOCK_FAILURE_RATE: '0',
      MOCK_SEED: '4294967295',
      MOCK_RATE_PER_MINUTE: '0.5',
      MOCK_BACKLOG: '1000000',
    });
    expect(sut).toEqual({
      MOCK_PORT: 9100,
      MOCK_HOST: '127.0.0.1',
      MOCK_FAILURE_RATE: 0,
      MOCK_SEED: 4294967295,
      MOCK_RATE_PER_MINUTE: 0.5,
      MOCK_BACKLOG: 1_000_000,
    });
  });

  it.each([
    ['MOCK_PORT', '65536'],
    ['MOCK_PORT', 'http'],
    ['MOCK_FAILURE_RATE', '1.5'],
    ['MOCK_FAILURE_RATE', '-0.1'],
    ['MOCK_SEED', 'abc'],
    ['MOCK_SEED', '-1'],
    ['MOCK_SEED', '1.5'],
    ['MOCK_RATE_PER_MINUTE', 'fast'],
    ['MOCK_BACKLOG', '1e6'],
    ['MOCK_BACKLOG', '100000001'],
  ])('names %s when it is %p', (name, value) => {
    const sut = errorFor({ [name]: value });
    expect(sut).toContain(name);
    expect(sut).toContain(JSON.stringify(value));
    expect(sut.split('\n')).toHaveLength(1);
  });

  it('names every bad variable in one line', () => {
    const sut = errorFor({ MOCK_PORT: 'x', MOCK_BACKLOG: 'y' });
    expect(sut).toMatch(/^Invalid configuration: MOCK_PORT .*; MOCK_BACKLOG /);
  });
});
