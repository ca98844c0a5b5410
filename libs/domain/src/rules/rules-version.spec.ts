import { assertSupersedes, RulesVersionError } from './rules-version';

describe('assertSupersedes', () => {
  it('accepts a higher version and refuses an equal or lower one, naming the field', () => {
    expect(() => assertSupersedes({ version: 3 }, { version: 2 })).not.toThrow();
    expect(() => assertSupersedes({ version: 2 }, { version: 2 })).toThrow(new RulesVersionError(2, 2));
    expect(() => assertSupersedes({ version: 1 }, { version: 2 })).toThrow(
      'version: 1 is not higher than the version in force (2); each change of the rules needs a higher version',
    );
  });
});
