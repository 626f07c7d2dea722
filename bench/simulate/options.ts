// Command-line options of pnpm simulate (no library import: main.ts parses them before the
// virtual clock is installed).
import type { ScenarioName, SimulationOptions } from './simulation.js'

export interface MainOptions extends Omit<SimulationOptions, 'log'> {
  sizes: number[]
  out: string
  svg: string
  /** Redraw the table and the SVG from this results file instead of simulating. */
  replot: string | null
}

export const usage = `pnpm simulate [-- options]
  --sizes 1000,3000,10000   network sizes
  --scenarios clean,loss,churn[,nat]
  --lookups 300             lookups per scenario and size
  --latency 10,50           one-way latency, uniform, virtual ms
  --loss 0.1                loss of the loss scenario
  --churn 0.3               share of nodes removed by the churn scenario
  --churn-wait 150          virtual seconds between the two rounds of churn lookups
  --loss-joins 200          nodes that join under loss
  --nat-share 0.6           share of the nodes behind NATs in the nat scenario
  --nat-servers 3           nodes in fixed server mode in the nat scenario (the bootstrap node among them)
  --nat-wait 300            virtual seconds the nat scenario waits after its build for promotions
  --parallel 32             nodes joining at a time
  --concurrency 16          lookups at a time
  --seed 1
  --out bench/results/simulate.json
  --svg bench/results/simulate.svg
  --replot FILE             print the table and write the SVG of a results file, without simulating`

export function parseOptions (argv: string[]): MainOptions | null {
  const o: MainOptions = {
    sizes: [1000, 3000, 10000],
    scenarios: ['clean', 'loss', 'churn'],
    lookups: 300,
    latency: [10, 50],
    loss: 0.1,
    churn: 0.3,
    churnWait: 150,
    lossJoins: 200,
    natShare: 0.6,
    natServers: 3,
    natWait: 300,
    parallel: 32,
    concurrency: 16,
    seed: 1,
    out: 'bench/results/simulate.json',
    svg: 'bench/results/simulate.svg',
    replot: null
  }
  const numbers = (v: string): number[] => v.split(',').map((x) => {
    const n = Number(x)
    if (!Number.isFinite(n) || n < 0) throw new Error(`not a number: ${x}`)
    return n
  })
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') continue
    if (arg === '--help' || arg === '-h') return null
    const value = argv[++i]
    if (value === undefined) throw new Error(`${arg} needs a value`)
    switch (arg) {
      case '--sizes': o.sizes = numbers(value).map(Math.round); break
      case '--scenarios': o.scenarios = value.split(',') as ScenarioName[]; break
      case '--lookups': o.lookups = numbers(value)[0]!; break
      case '--latency': { const [a, b = a] = numbers(value); o.latency = [a!, b]; break }
      case '--loss': o.loss = numbers(value)[0]!; break
      case '--churn': o.churn = numbers(value)[0]!; break
      case '--churn-wait': o.churnWait = numbers(value)[0]!; break
      case '--loss-joins': o.lossJoins = numbers(value)[0]!; break
      case '--nat-share': o.natShare = numbers(value)[0]!; break
      case '--nat-servers': o.natServers = Math.max(1, Math.round(numbers(value)[0]!)); break
      case '--nat-wait': o.natWait = numbers(value)[0]!; break
      case '--parallel': o.parallel = numbers(value)[0]!; break
      case '--concurrency': o.concurrency = numbers(value)[0]!; break
      case '--seed': o.seed = numbers(value)[0]!; break
      case '--out': o.out = value; break
      case '--svg': o.svg = value; break
      case '--replot': o.replot = value; break
      default: throw new Error(`unknown option ${arg}\n${usage}`)
    }
  }
  for (const s of o.scenarios) if (!['clean', 'loss', 'churn', 'nat'].includes(s)) throw new Error(`unknown scenario ${s}`)
  return o
}
