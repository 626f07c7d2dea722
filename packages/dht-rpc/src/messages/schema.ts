/**
 * The wire schema, identical to `./schema.proto` (a unit test checks that they match).
 * It lives in a string as well so that the built package needs no file access at run time.
 */
export const SCHEMA = `
syntax = "proto2";

message Request {
  required string command = 1;
  optional bytes id = 2;
  optional bytes target = 3;
  optional bytes forwardRequest = 4;
  optional bytes forwardResponse = 5;
  optional bytes roundtripToken = 6;
  optional bytes value = 7;
}

message Response {
  optional bytes id = 1;
  optional bytes nodes = 2;
  optional bytes value = 3;
  optional bytes roundtripToken = 4;
}
`
