#!/usr/bin/env bash
# `rules score` of the shipped firmographic model (models/rules/fit.yaml)
# beside the same model written as one DuckDB SQL query over the same CSV
# files (BENCHMARKS.md, "rules score beside DuckDB"; issue 20). DuckDB is
# installed from PyPI into a throwaway virtual environment; both are timed
# side by side in one hyperfine run, then their scores are compared lead by
# lead, so the query is known to be the same model.
#
# Usage: benches/peers/rules_score_duckdb.sh FOLDER LEADSCORE [OTHER_LEADSCORE]
#   FOLDER: a DATA.md folder, e.g. `leadscore generate --leads 1000000 --seed 7 --out F`
#   LEADSCORE: the binary to time (a release build); OTHER_LEADSCORE: another
#   one (the base commit's) timed in the same run.
# Needs python3 (with venv) and hyperfine.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(cd "$1" && pwd)
bin=$2
other=${3:-}
runs=${RUNS:-5}
env=$(mktemp -d)
trap 'rm -rf "$env"' EXIT

python3 -m venv "$env/venv"
"$env/venv/bin/pip" install -q "duckdb==${DUCKDB_VERSION:-2.0.1}"

# models/rules/fit.yaml as SQL (RULES.md): contact-based leads only (target:
# contact); Account is the lead's account, else its contact's; string
# comparisons ignore case; a number compares numerically; is_empty holds for
# an absent or empty value; the points summed, floor 0, then the grade.
cat > "$env/fit.py" <<PY
import duckdb, sys
d = "$dir"
duckdb.connect().execute(f"""
COPY (
  WITH l AS (SELECT * FROM read_csv('{d}/leads.csv', all_varchar = true)),
       c AS (SELECT * FROM read_csv('{d}/contacts.csv', all_varchar = true)),
       a AS (SELECT * FROM read_csv('{d}/accounts.csv', all_varchar = true)),
       j AS (
         SELECT l.lead_id, lower(c.job_title) AS title, lower(l.budget_band) AS budget,
                TRY_CAST(a.employees AS DOUBLE) AS employees, lower(a.industry) AS industry,
                lower(a.customer_tier) AS tier
         FROM l JOIN c ON c.contact_id = l.contact_id
         LEFT JOIN a ON a.account_id = COALESCE(l.account_id, c.account_id)),
       p AS (
         SELECT lead_id, GREATEST(0,
             CASE WHEN employees >= 50 THEN 15 ELSE 0 END
           + CASE WHEN employees < 10 THEN -10 ELSE 0 END
           + CASE WHEN industry IN ('software', 'financial services', 'healthcare', 'retail') THEN 8 ELSE 0 END
           + CASE WHEN tier IN ('customer', 'partner') THEN 10 ELSE 0 END
           + CASE WHEN starts_with(title, 'chief') OR contains(title, 'founder')
                    OR starts_with(title, 'vp') OR contains(title, 'director') THEN 12 ELSE 0 END
           + CASE WHEN title IN ('consultant', 'research assistant', 'student', 'intern') THEN -12 ELSE 0 END
           + CASE WHEN budget IN ('10k-50k', '50k-250k', '250k+') THEN 10 ELSE 0 END
           + CASE WHEN COALESCE(budget, '') = '' THEN -5 ELSE 0 END) AS score
         FROM j)
  SELECT lead_id, score,
         CASE WHEN score <= 9 THEN 'D' WHEN score <= 24 THEN 'C' WHEN score <= 39 THEN 'B' ELSE 'A' END AS grade
  FROM p
) TO '{sys.argv[1]}' (HEADER, DELIMITER ',')
""")
PY

cmds=(-n duckdb "$env/venv/bin/python $env/fit.py $env/duckdb.csv"
      -n leadscore "$bin rules score $root/models/rules/fit.yaml --data $dir --out $env/leadscore.csv")
if [ -n "$other" ]; then
  cmds+=(-n "leadscore (other)" "$other rules score $root/models/rules/fit.yaml --data $dir --out $env/other.csv")
fi
hyperfine --warmup 1 --runs "$runs" "${cmds[@]}"
for cmd in "$env/venv/bin/python $env/fit.py $env/duckdb.csv" \
           "$bin rules score $root/models/rules/fit.yaml --data $dir --out $env/leadscore.csv"; do
  /usr/bin/time -f "%e s, %M KB peak: ${cmd%% *}" $cmd >/dev/null
done

# The same scores and grades, lead by lead.
"$env/venv/bin/python" - "$env" <<'PY'
import duckdb, sys
env = sys.argv[1]
db = duckdb.connect()
mismatched = db.execute(f"""
  SELECT count(*) FROM read_csv('{env}/duckdb.csv', all_varchar = true) d
  FULL JOIN (SELECT * FROM read_csv('{env}/leadscore.csv', all_varchar = true) WHERE score <> '') s
    ON s.lead_id = d.lead_id
  WHERE d.lead_id IS NULL OR s.lead_id IS NULL OR d.score <> s.score OR d.grade <> s.grade
""").fetchone()[0]
scored = db.execute(f"SELECT count(*) FROM read_csv('{env}/duckdb.csv')").fetchone()[0]
print(f"{scored} leads scored by the query; {mismatched} differ from leadscore's scores")
sys.exit(1 if mismatched else 0)
PY
