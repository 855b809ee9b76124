import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkTemplateProblems, renderLinkTemplate } from './link-template.js';

test('renders variables and labels URL-encoded', () => {
  const url = renderLinkTemplate(
    'https://grafana/d/x?var-az={{az}}&from={{from}}&to={{ to }}&q={{query}}&pod={{label.pod}}&b={{build}}',
    { az: 'use1-az1', from: 1, to: 2, query: 'sum(rate(x[1m]))' },
    { pod: 'web 1' },
  );
  assert.equal(url, 'https://grafana/d/x?var-az=use1-az1&from=1&to=2&q=sum(rate(x%5B1m%5D))&pod=web%201&b=');
});

test('reports unknown variables and unbalanced braces', () => {
  assert.deepEqual(linkTemplateProblems('https://g/{{az}}/{{label.pod}}'), []);
  assert.match(linkTemplateProblems('https://g/{{zone}}')[0], /unknown link variable "\{\{zone\}\}"/);
  assert.match(linkTemplateProblems('https://g/{{az')[0], /unbalanced/);
});
