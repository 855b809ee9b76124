/**
 * Link templates for checks (Grafana graph, log search). Placeholders are `{{name}}`, so they never
 * clash with `${ENV}` interpolation or PromQL braces. Values are URL-encoded when rendered.
 *
 * Variables: `check`, `query`, `build`, `stage`, `environment`, `tier`, `az`, `from`, `to`
 * (epoch milliseconds of the window to show), and `label.NAME` for any label of the series.
 */
export const LINK_VARIABLES = ['check', 'query', 'build', 'stage', 'environment', 'tier', 'az', 'from', 'to'] as const;

const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;
const LABEL = /^label\.[A-Za-z_][A-Za-z0-9_]*$/;

/** Problems with a template: unknown variables, unbalanced braces. Empty when it is fine. */
export function linkTemplateProblems(template: string): string[] {
  const problems: string[] = [];
  for (const m of template.matchAll(PLACEHOLDER)) {
    const name = m[1];
    if (!(LINK_VARIABLES as readonly string[]).includes(name) && !LABEL.test(name)) {
      problems.push(`unknown link variable "{{${name}}}" (known: ${LINK_VARIABLES.join(', ')}, label.NAME)`);
    }
  }
  const rest = template.replace(PLACEHOLDER, '');
  if (rest.includes('{{') || rest.includes('}}')) problems.push('unbalanced "{{" / "}}" in link template');
  return problems;
}

/**
 * Renders a template. `vars` holds the plain variables; `labels` the series labels for `label.NAME`.
 * A variable with no value renders as the empty string (a link with a blank filter still opens).
 */
export function renderLinkTemplate(
  template: string,
  vars: Partial<Record<(typeof LINK_VARIABLES)[number], string | number>>,
  labels: Record<string, string> = {},
): string {
  return template.replace(PLACEHOLDER, (_m, name: string) => {
    const value = name.startsWith('label.') ? labels[name.slice('label.'.length)] : vars[name as keyof typeof vars];
    return value === undefined ? '' : encodeURIComponent(String(value));
  });
}
