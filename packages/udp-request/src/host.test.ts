import { expect, test } from 'vitest'
import { canonicalHost } from './host.js'

test('IPv4 literals are their own canonical form', () => {
  expect(canonicalHost('127.0.0.1')).toBe('127.0.0.1')
  expect(canonicalHost('::ffff:127.0.0.1')).toBe('127.0.0.1')
  expect(canonicalHost('::FFFF:7f00:1')).toBe('127.0.0.1')
})

test('IPv6 spellings of one address compare equal', () => {
  expect(canonicalHost('::1')).toBe(canonicalHost('0:0:0:0:0:0:0:1'))
  expect(canonicalHost('fe80::1%eth0')).toBe(canonicalHost('FE80:0::0001'))
  expect(canonicalHost('2001:db8::1')).not.toBe(canonicalHost('2001:db8::2'))
  expect(canonicalHost('64:ff9b::1.2.3.4')).toBe(canonicalHost('64:ff9b:0:0:0:0:102:304'))
})

test('host names and unspecified addresses have no canonical form (matched on port only)', () => {
  expect(canonicalHost('localhost')).toBeNull()
  expect(canonicalHost('0.0.0.0')).toBeNull()
  expect(canonicalHost('::')).toBeNull()
})
