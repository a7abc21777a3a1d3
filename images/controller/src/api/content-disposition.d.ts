/** Types for content-disposition 0.5 (jshttp): RFC 6266 headers with an RFC 5987 `filename*` for non-ASCII names. */
declare module 'content-disposition' {
  interface Options {
    /** `attachment` or `inline`. @default 'attachment' */
    readonly type?: string;
    /** The ISO-8859-1 `filename` next to `filename*`: true derives it, a string gives it, false leaves it out. @default true */
    readonly fallback?: string | boolean;
  }
  interface ContentDisposition {
    readonly type: string;
    readonly parameters: Readonly<Record<string, string>>;
  }
  function contentDisposition(filename?: string, options?: Options): string;
  namespace contentDisposition {
    function parse(header: string): ContentDisposition;
  }
  export = contentDisposition;
}
