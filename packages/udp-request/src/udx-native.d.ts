// udx-native ships no type declarations: the little of it that ./udx.ts uses is typed there.
declare module 'udx-native' {
  const UDX: new () => unknown
  export default UDX
}
