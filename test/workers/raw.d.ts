/** Vite's `?raw` imports: a file's text (the README check). */
declare module '*?raw' {
  const text: string;
  export default text;
}
