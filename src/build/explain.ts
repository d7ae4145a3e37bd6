import { KERNEL_APIS } from "../kernel/api.js";
import { RULES } from "../transform/rules/index.js";
import { formatDiagnostic, type Diagnostic } from "./diagnostics.js";

/** A component as the recipe gives it: where its files are and which rules it lists. */
export interface ComponentRules {
  name: string;
  paths: readonly string[];
  rules: readonly string[];
}

export interface Explanation {
  diagnostic: Diagnostic;
  component?: string;
  api?: string;
  /** The rule that handles the API, when kbackport has one. */
  rule?: string;
  /** One line for people: which rule to list, or that none exists. */
  line: string;
}

/** The recipe's components as explainDiagnostics reads them: their paths with their modules' Kbuild files. */
export function componentRules(
  components: readonly {
    name: string;
    paths: readonly string[];
    modules: readonly { dir: string }[];
    rules: readonly string[];
  }[],
): ComponentRules[] {
  return components.map((c) => ({
    name: c.name,
    paths: [...c.paths, ...c.modules.flatMap((m) => [`${m.dir}/Kconfig`, `${m.dir}/Makefile`])],
    rules: c.rules,
  }));
}

/** The component whose paths (or module Kbuild files) hold a tree-relative file. */
export function componentOf<C extends Pick<ComponentRules, "paths">>(
  components: readonly C[],
  file: string,
): C | undefined {
  return components.find((c) => c.paths.some((p) => file === p || file.startsWith(`${p}/`)));
}

/** Rules by the feature (API id) they stand in for: one index for build errors and refreshes. */
export function rulesForApi(api: string): string[] {
  return RULES.filter((r) => r.feature === api).map((r) => r.id);
}

/**
 * Says, for each compiler or modpost error, what would fix it: a rule the component does not list, or
 * "no rule" with the symbol, its header when the knowledge base knows it, and the message at file:line.
 */
export function explainDiagnostics(
  diagnostics: readonly Diagnostic[],
  components: readonly ComponentRules[],
): Explanation[] {
  return diagnostics
    .filter((d) => d.severity === "error")
    .map((d) => {
      const component = d.file ? componentOf(components, d.file) : undefined;
      const message = formatDiagnostic(d);
      if (!d.api) {
        const symbol = /[\u2018'"]([A-Za-z_][A-Za-z0-9_]*)[\u2019'"]/.exec(d.message)?.[1] ?? "?";
        return { diagnostic: d, component: component?.name, line: `no rule: ${symbol}, ${message}` };
      }
      const api = KERNEL_APIS.find((a) => a.id === d.api);
      const rules = rulesForApi(d.api);
      const base = { diagnostic: d, component: component?.name, api: d.api };
      if (rules.length === 0)
        return { ...base, line: `no rule: ${d.api} (${api?.headers[0] ?? "?"}), ${message}` };
      const listed = rules.find((r) => component?.rules.includes(r));
      if (listed)
        return {
          ...base,
          rule: listed,
          line: `rule ${listed} is listed for ${component!.name} but did not cover: ${message}`,
        };
      return {
        ...base,
        rule: rules[0],
        line: `rule ${rules[0]} is not listed for component ${component?.name ?? "?"}: ${message}`,
      };
    });
}
