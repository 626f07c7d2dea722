/** Default number of contacts a bucket holds before it is full (Kademlia's `k`). */
export const DEFAULT_NUMBER_OF_NODES_PER_KBUCKET = 20

/** Default number of oldest contacts handed to a `ping` listener when a far bucket is full. */
export const DEFAULT_NUMBER_OF_NODES_TO_PING = 3

/** Length in bytes of the random local id generated when `localNodeId` is not given. */
export const DEFAULT_LOCAL_NODE_ID_LENGTH = 20

/** Registry symbol that marks a {@link KBucketError}, so it is recognised across duplicate installs. */
export const KBUCKET_ERROR_MARKER = Symbol.for('hyperdht-ts.kbucket.error')
