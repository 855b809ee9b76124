/**
 * Folds for cross-validating the default detector on a NAB-layout directory.
 *  - `category`: one fold per NAB category (nab-dev: 4 folds, the largest 17 of 34 files).
 *  - `group`: finer, still honest: related series stay together, so a fold never trains on a sibling
 *    of a held-out file. realAWSCloudwatch by metric family (ec2_cpu, ec2_disk, ec2_network (with
 *    the iio NetworkIn series), elb, grok, rds), realAdExchange by exchange (cpc and cpm of one
 *    exchange are one market), the artificial categories whole (their files are variations of one
 *    generator). A file of any other kind stays with its category: it is never split by a guess.
 *    nab-dev: 11 folds of 1-8 files.
 */
export type FoldMode = 'category' | 'group';

const AWS_FAMILIES: [RegExp, string][] = [
  [/^ec2_cpu_utilization_/, 'ec2_cpu'],
  [/^ec2_disk_write_bytes_/, 'ec2_disk'],
  [/^ec2_network_in_/, 'ec2_network'],
  [/^iio_.*_NetworkIn\.csv$/, 'ec2_network'],
  [/^elb_request_count_/, 'elb'],
  [/^grok_/, 'grok'],
  [/^rds_cpu_utilization_/, 'rds'],
];

/** The fold a file (`category`, file `name`) belongs to. */
export function foldOf(category: string, name: string, mode: FoldMode): string {
  if (mode === 'category') return category;
  if (category === 'realAWSCloudwatch') {
    const family = AWS_FAMILIES.find(([re]) => re.test(name));
    return family ? `${category}/${family[1]}` : category;
  }
  if (category === 'realAdExchange') {
    const m = /^(exchange-\d+)_/.exec(name);
    return m ? `${category}/${m[1]}` : category;
  }
  return category;
}

/** Fold name -> the files (`category/name`) in it, in the order given. */
export function buildFolds(files: { category: string; name: string }[], mode: FoldMode): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of files) {
    const k = foldOf(f.category, f.name, mode);
    const list = out.get(k) ?? [];
    list.push(`${f.category}/${f.name}`);
    out.set(k, list);
  }
  return out;
}
