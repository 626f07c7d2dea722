export { KBucket } from './kbucket.js'
export { KBucketError, type KBucketErrorCode, type KBucketErrorOptions } from './errors.js'
export { xorDistance, compareDistance, idEquals } from './distance.js'
export type {
  ArbiterFunction,
  BucketInfo,
  Contact,
  DistanceFunction,
  KBucketEvents,
  KBucketOptions
} from './types.js'
