/**
 * A minimal evaluator of the templates of task.json's `dataSourceBindings`, for the subset the
 * registry pickers use: `{{{path}}}`, `{{#if path}}…{{else}}…{{/if}}`,
 * `{{#getTokenValue path}}{{extractUrlQueryParameter name}}{{/getTokenValue}}`,
 * `{{isTokenPresent path}}` and `jsonpath:$.value[*]`. Azure DevOps evaluates them on the server
 * (closed source), so the one behaviour that matters and cannot be read is a parameter: whether
 * extractUrlQueryParameter matches the query name with or without regard to case. Microsoft's
 * tasks write `%24skiptoken` for resource groups and `%24skipToken` for `/resources` and AKS
 * clusters, each RP's own casing, which suggests it does; the pickers must work either way.
 * Anything outside the subset throws, so a binding edited beyond it fails its test.
 */
export interface TemplateOptions {
  /** How extractUrlQueryParameter compares a query name with its argument. */
  caseSensitiveQueryNames: boolean;
}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'value'; path: string }
  | { kind: 'helper'; name: string; args: string[] }
  | { kind: 'block'; name: string; args: string[]; body: Node[]; otherwise: Node[] };

function parse(template: string): Node[] {
  const tag = /\{\{\{\s*([^}]+?)\s*\}\}\}|\{\{\s*([^}]+?)\s*\}\}/g;
  const root: Node[] = [];
  const stack: { node: Extract<Node, { kind: 'block' }>; inElse: boolean }[] = [];
  const current = (): Node[] => {
    const top = stack.at(-1);
    return top === undefined ? root : top.inElse ? top.node.otherwise : top.node.body;
  };
  let at = 0;
  for (const m of template.matchAll(tag)) {
    if (m.index > at) current().push({ kind: 'text', text: template.slice(at, m.index) });
    at = m.index + m[0].length;
    if (m[1] !== undefined) {
      current().push({ kind: 'value', path: m[1] });
      continue;
    }
    const [head, ...args] = m[2].split(/\s+/);
    if (head.startsWith('#')) {
      const node: Extract<Node, { kind: 'block' }> = { kind: 'block', name: head.slice(1), args, body: [], otherwise: [] };
      current().push(node);
      stack.push({ node, inElse: false });
    } else if (head.startsWith('/')) {
      const top = stack.pop();
      if (top?.node.name !== head.slice(1)) throw new Error(`unbalanced {{${head}}} in ${template}`);
    } else if (head === 'else') {
      const top = stack.at(-1);
      if (top === undefined) throw new Error(`{{else}} outside a block in ${template}`);
      top.inElse = true;
    } else {
      current().push({ kind: 'helper', name: head, args });
    }
  }
  if (stack.length > 0) throw new Error(`unclosed {{#${stack[0].node.name}}} in ${template}`);
  if (at < template.length) root.push({ kind: 'text', text: template.slice(at) });
  return root;
}

function lookup(context: unknown, path: string): unknown {
  let value = context;
  for (const key of path.split('.')) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

const truthy = (value: unknown): boolean => value !== undefined && value !== null && value !== '' && value !== false;

/** The raw (still URL-encoded) value of a query parameter of `url`, or "". */
function queryParameter(url: string, name: string, options: TemplateOptions): string {
  const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  const wanted = decodeURIComponent(name);
  for (const pair of query.split('&')) {
    const [key, value = ''] = pair.split('=');
    const got = decodeURIComponent(key);
    if (options.caseSensitiveQueryNames ? got === wanted : got.toLowerCase() === wanted.toLowerCase()) return value;
  }
  return '';
}

function renderNodes(nodes: Node[], context: unknown, options: TemplateOptions, token: string | undefined): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else if (node.kind === 'value') {
      const value = lookup(context, node.path);
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out += String(value);
      else if (value !== undefined && value !== null) throw new Error(`{{{${node.path}}}} is not a plain value`);
    } else if (node.kind === 'helper') {
      if (node.name === 'isTokenPresent') out += String(truthy(lookup(context, node.args[0])));
      else if (node.name === 'extractUrlQueryParameter') {
        if (token === undefined) throw new Error('extractUrlQueryParameter outside getTokenValue');
        out += queryParameter(token, node.args[0], options);
      } else throw new Error(`helper ${node.name} is not in the evaluated subset`);
    } else if (node.name === 'if') {
      out += renderNodes(truthy(lookup(context, node.args[0])) ? node.body : node.otherwise, context, options, token);
    } else if (node.name === 'getTokenValue') {
      const value = lookup(context, node.args[0]);
      out += truthy(value) ? renderNodes(node.body, context, options, String(value)) : '';
    } else throw new Error(`block helper #${node.name} is not in the evaluated subset`);
  }
  return out;
}

export function render(template: string, context: unknown, options: TemplateOptions): string {
  return renderNodes(parse(template), context, options, undefined);
}

export interface DataSourceBinding {
  target: string;
  endpointId: string;
  endpointUrl: string;
  initialContextTemplate?: string;
  callbackContextTemplate?: string;
  callbackRequiredTemplate?: string;
  resultSelector: string;
  resultTemplate: string;
}

export interface PickerItem {
  Value: string;
  DisplayValue: string;
}

/**
 * Fills a picker the way the server does: the first request from the initial context, then as
 * long as the callback-required template says "true", the next from the callback context
 * rendered over the answer. Stops after `maxRequests` (a binding that never advances).
 */
export async function fillPicker(
  binding: DataSourceBinding,
  endpoint: Record<string, string>,
  get: (url: string) => Promise<unknown>,
  options: TemplateOptions,
  maxRequests = 20,
): Promise<{ items: PickerItem[]; urls: string[] }> {
  if (binding.resultSelector !== 'jsonpath:$.value[*]') throw new Error(`result selector ${binding.resultSelector} is not in the evaluated subset`);
  let context = JSON.parse(render(binding.initialContextTemplate ?? '{}', {}, options)) as Record<string, unknown>;
  const items: PickerItem[] = [];
  const urls: string[] = [];
  while (urls.length < maxRequests) {
    const url = render(binding.endpointUrl, { ...context, endpoint }, options);
    urls.push(url);
    const response = (await get(url)) as { value?: unknown[] };
    for (const item of response.value ?? []) items.push(JSON.parse(render(binding.resultTemplate, item, options)) as PickerItem);
    if (binding.callbackRequiredTemplate === undefined || render(binding.callbackRequiredTemplate, { response }, options) !== 'true') break;
    context = JSON.parse(render(binding.callbackContextTemplate ?? '{}', { response }, options)) as Record<string, unknown>;
  }
  return { items, urls };
}
