/**
 * The cell's route table. Patterns are split into segments once, at compile time, and
 * grouped by product and segment count into small tries; matching a request walks one
 * trie with plain string comparisons (no regex, no allocation beyond the split path).
 */
import { decodePathSegment } from '@twilio-lab/core';
import type { HttpMethod, ProductId } from '@twilio-lab/core';
import type { RouteDef } from './types.js';

export type RouteMatch =
  { route: RouteDef; params: Record<string, string> } | { methodNotAllowed: HttpMethod[] };

export interface RouteTable {
  /** `path` is below the product prefix, still percent-encoded, without the query. */
  match(product: ProductId, method: HttpMethod, path: string): RouteMatch | null;
  /** Every compiled route, in the order given. */
  readonly routes: readonly RouteDef[];
}

/** Thrown at compile time for patterns the table cannot serve; a programming error, not a user one. */
export class RouteDefinitionError extends Error {
  readonly code = 'CELL_ROUTE_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'RouteDefinitionError';
  }
}

/** Stable order for `Allow` headers, whatever order routes were declared in. */
const METHOD_ORDER: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'DELETE'];

/** A ':Name' or ':Name.json' segment: which path position it captures and what suffix it strips. */
interface ParamSpec {
  index: number;
  name: string;
  suffix: string;
}

interface CompiledRoute {
  route: RouteDef;
  params: readonly ParamSpec[];
}

interface TrieNode {
  literals: Map<string, TrieNode>;
  /** Param children keyed by their literal suffix ('' for a bare ':Name'); longer suffixes first. */
  params: { suffix: string; node: TrieNode }[];
  /** Set on nodes where a pattern ends. */
  endpoints: Map<HttpMethod, CompiledRoute> | null;
}

function newNode(): TrieNode {
  return { literals: new Map(), params: [], endpoints: null };
}

/** Segments of a path; a leading '/' gives an empty first segment, which every pattern shares. */
function splitPath(path: string): string[] {
  return path.split('/');
}

function parseParam(segment: string, index: number, pattern: string): ParamSpec {
  const body = segment.slice(1);
  const dot = body.indexOf('.');
  const name = dot === -1 ? body : body.slice(0, dot);
  const suffix = dot === -1 ? '' : body.slice(dot);
  if (name.length === 0) throw new RouteDefinitionError(`route '${pattern}': a ':' segment needs a name`);
  return { index, name, suffix };
}

export function compileRoutes(routes: readonly RouteDef[]): RouteTable {
  // product → tries indexed by segment count
  const byProduct = new Map<ProductId, (TrieNode | undefined)[]>();

  for (const route of routes) {
    if (!route.path.startsWith('/')) {
      throw new RouteDefinitionError(`route '${route.path}': the pattern must start with '/'`);
    }
    const segments = splitPath(route.path);
    let tries = byProduct.get(route.product);
    if (tries === undefined) {
      tries = [];
      byProduct.set(route.product, tries);
    }
    let node: TrieNode = tries[segments.length] ?? newNode();
    tries[segments.length] = node;
    const params: ParamSpec[] = [];
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i] as string;
      if (segment.startsWith(':')) {
        const spec = parseParam(segment, i, route.path);
        params.push(spec);
        let child: { suffix: string; node: TrieNode } | undefined = node.params.find(
          (p) => p.suffix === spec.suffix,
        );
        if (child === undefined) {
          child = { suffix: spec.suffix, node: newNode() };
          node.params.push(child);
          // Try the most specific suffix first: '.json' before a bare param.
          node.params.sort((a, b) => b.suffix.length - a.suffix.length);
        }
        node = child.node;
      } else {
        let child: TrieNode | undefined = node.literals.get(segment);
        if (child === undefined) {
          child = newNode();
          node.literals.set(segment, child);
        }
        node = child;
      }
    }
    node.endpoints ??= new Map();
    if (node.endpoints.has(route.method)) {
      throw new RouteDefinitionError(
        `route ${route.method} ${route.product} '${route.path}' is defined twice`,
      );
    }
    node.endpoints.set(route.method, { route, params });
  }

  const all = Object.freeze([...routes]);

  return {
    routes: all,
    match(product, method, path) {
      const tries = byProduct.get(product);
      if (tries === undefined) return null;
      const segments = splitPath(path);
      const root = tries[segments.length];
      if (root === undefined) return null;
      const search: Search = { segments, method, found: null, allowed: null };
      walk(root, 0, search);
      if (search.found !== null) {
        return { route: search.found.route, params: extractParams(search.found, segments) };
      }
      if (search.allowed !== null) {
        return { methodNotAllowed: METHOD_ORDER.filter((m) => search.allowed?.has(m)) };
      }
      return null;
    },
  };
}

interface Search {
  segments: readonly string[];
  method: HttpMethod;
  found: CompiledRoute | null;
  /** Methods of every pattern that matched the path, for a 405's `Allow`. */
  allowed: Set<HttpMethod> | null;
}

/**
 * Depth-first, literals before params, so a literal segment wins over a param when both
 * match; backtracks so a param branch can still serve a method the literal branch lacks.
 * Returns true once a route for the method is found.
 */
function walk(node: TrieNode, depth: number, search: Search): boolean {
  if (depth === search.segments.length) {
    const endpoints = node.endpoints;
    if (endpoints === null) return false;
    const hit = endpoints.get(search.method);
    if (hit !== undefined) {
      search.found = hit;
      return true;
    }
    search.allowed ??= new Set();
    for (const m of endpoints.keys()) search.allowed.add(m);
    return false;
  }
  const segment = search.segments[depth] as string;
  const literal = node.literals.get(segment);
  if (literal !== undefined && walk(literal, depth + 1, search)) return true;
  for (const { suffix, node: child } of node.params) {
    if (suffix === '') {
      if (segment.length === 0) continue;
    } else if (segment.length <= suffix.length || !segment.endsWith(suffix)) {
      continue;
    }
    if (walk(child, depth + 1, search)) return true;
  }
  return false;
}

function extractParams(compiled: CompiledRoute, segments: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const spec of compiled.params) {
    const raw = segments[spec.index] as string;
    const value = spec.suffix === '' ? raw : raw.slice(0, raw.length - spec.suffix.length);
    params[spec.name] = decodePathSegment(value);
  }
  return params;
}
