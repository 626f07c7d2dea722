// Bytes allocated on the JS heap over a stretch of code, on Node 20 without flags.
//
// Method: V8 reports no cumulative allocation counter to JS, but everything allocated between
// two moments is either still in the heap at the end or was freed by a GC in between. So
//   allocated = usedHeap(end) - usedHeap(start) + Σ over the GCs in between (usedHeap before GC - usedHeap after GC)
// with usedHeap from v8.getHeapStatistics() and the per-GC figures from v8.GCProfiler (Node
// ≥ 18.15), which records the heap statistics before and after every GC (scavenges included).
// It counts what the whole process allocated meanwhile (both ends of a request when client and
// server share the process). Memory outside the JS heap (ArrayBuffer backing stores, e.g. the
// bytes of received datagrams and Buffer pool slabs) is not counted, only their JS wrappers.
import v8 from 'node:v8'

export class AllocationMeter {
  #profiler: v8.GCProfiler | null = null
  #start = 0

  start (): void {
    this.#profiler = new v8.GCProfiler()
    this.#profiler.start()
    this.#start = v8.getHeapStatistics().used_heap_size
  }

  /** Bytes allocated since start(). */
  stop (): number {
    const end = v8.getHeapStatistics().used_heap_size
    const profiler = this.#profiler
    if (profiler === null) throw new Error('AllocationMeter.stop() before start()')
    this.#profiler = null
    const report = profiler.stop() as unknown as GCReport | undefined
    let freed = 0
    for (const gc of report?.statistics ?? []) freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize
    return Math.max(0, end - this.#start + freed)
  }
}

interface GCReport {
  statistics: Array<{
    beforeGC: { heapStatistics: { usedHeapSize: number } }
    afterGC: { heapStatistics: { usedHeapSize: number } }
  }>
}
