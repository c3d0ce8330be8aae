import { describe, expect, it } from 'vitest';
import { NonFiniteNumberError, parseJson, stringifyJson } from '../../src/singer/json.js';

describe('parseJson / stringifyJson', () => {
  it('round-trips integers beyond 2^53 with every digit, strings that look like them untouched', () => {
    const text = '{"a":9007199254740993,"b":[-123456789012345678901234567890,1.25e-7,"12345678901234567890",{"c":18446744073709551615}],"d":"x\\"1e400"}';
    const value = parseJson(text);
    expect(value).toEqual({ a: 9007199254740993n, b: [-123456789012345678901234567890n, 1.25e-7, '12345678901234567890', { c: 18446744073709551615n }], d: 'x"1e400' });
    expect(stringifyJson(value)).toBe(text);
  });

  it('refuses numbers a double cannot hold', () => {
    expect(() => parseJson('{"a":1e400}')).toThrow(NonFiniteNumberError);
    expect(() => parseJson('[-1.7976931348623159e308]')).toThrow(/too large for a double/);
    expect(parseJson('[1e308, 1e-400]')).toEqual([1e308, 0]);
  });

  it('is JSON.parse / JSON.stringify for ordinary input', () => {
    const text = '{"a":1,"b":"2","c":[true,null,1.5]}';
    expect(parseJson(text)).toEqual(JSON.parse(text));
    expect(stringifyJson(JSON.parse(text))).toBe(text);
    expect(() => parseJson('{"a":')).toThrow(SyntaxError);
  });
});
