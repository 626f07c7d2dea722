/** A promise and the functions that settle it (`Promise.withResolvers`, which Node 20 lacks). */
export interface Resolvers<T> {
  promise: Promise<T>
  resolve: (value: T) => void
  reject: (err: Error) => void
}

/**
 * The object under construction: one shared executor fills it in, since an executor closure per
 * promise would cost a function and a context for its variables (this runs for every request).
 */
let making: Resolvers<never> | null = null

function capture (resolve: (value: never) => void, reject: (err: Error) => void): void {
  making = { promise: null as unknown as Promise<never>, resolve, reject }
}

/**
 * A new promise with its `resolve` and `reject`. The object is also a `ResponseHandler` for
 * `sendRequest()` when `T` is the request's result: `request()` is exactly that.
 */
export function withResolvers<T> (): Resolvers<T> {
  const promise = new Promise<never>(capture)
  const made = making!
  making = null
  made.promise = promise
  return made as unknown as Resolvers<T>
}
