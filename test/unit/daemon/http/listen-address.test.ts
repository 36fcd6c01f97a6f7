import { describe, expect, it } from 'vitest';
import { parseListenAddress } from '../../../../src/daemon/http/index.js';

describe('--listen', () => {
  it('takes loopback addresses with a port', () => {
    expect(parseListenAddress('127.0.0.1:8765')).toEqual({ host: '127.0.0.1', port: 8765 });
    expect(parseListenAddress('127.1.2.3:0')).toEqual({ host: '127.1.2.3', port: 0 });
    expect(parseListenAddress('[::1]:9000')).toEqual({ host: '::1', port: 9000 });
  });

  it('refuses every address another machine could reach, names that resolve, and malformed ones', () => {
    for (const text of [
      '0.0.0.0:8765',
      '192.168.1.10:8765',
      '[::]:8765',
      '[::ffff:127.0.0.1]:1',
      'localhost:8765',
      '127.0.0.1',
      '127.0.0.1:99999',
      ':8765',
      '127.0.0.1:80:80',
    ]) {
      expect(() => parseListenAddress(text), text).toThrow(expect.objectContaining({ code: 'API_LISTEN_REFUSED' }));
    }
  });
});
