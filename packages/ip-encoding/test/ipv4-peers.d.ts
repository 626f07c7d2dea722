// Types for the reference implementation, used only by the differential test.
declare module 'ipv4-peers' {
  interface Entry { host: string, port: number, id?: Buffer }
  interface Ipv4Peers {
    idLength (n: number): Ipv4Peers
    encodingLength (peers: Entry[]): number
    encode (peers: Entry[], buf?: Buffer, offset?: number): Buffer
    decode (buf: Buffer, offset?: number, end?: number): Entry[]
  }
  const peers: Ipv4Peers
  export default peers
}
