// The parser's shape, as the tests use it (the package ships no types).
declare module 'parse-prometheus-text-format' {
  interface Sample {
    value: string;
    labels?: Record<string, string>;
  }
  interface Family {
    name: string;
    help: string;
    type: string;
    metrics: Sample[];
  }
  function parse(text: string): Family[];
  export default parse;
}
