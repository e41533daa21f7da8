#!/usr/bin/env python3
"""Writes the small reference-data extract committed with the demo data (Sources/ClausesCore/Demo/Refdata/),
in the official layouts, from the full open-data files (../shared/data/refdata/ by default):
- the ROME codes of the professional domains the demo uses, and the job titles of its trades;
- the communes of the seed territories (Bouches-du-Rhône, Essonne), Paris, and Lyon's arrondissements.
Usage: scripts/refdata-extract.py [REFDATA_DIR]"""
import csv, os, sys

source = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..', 'shared', 'data', 'refdata')
target = os.path.join(os.path.dirname(__file__), '..', 'Sources', 'ClausesCore', 'Demo', 'Refdata')
domains = ('F', 'A12', 'K22', 'M16', 'N11', 'H29', 'I13')
# Job titles only for the trades of the demo's lots and people: the autocomplete's extract stays small.
titled = ('F16', 'F17', 'A12', 'K22', 'M16', 'N11')

def copy(name, out, keep):
    with open(os.path.join(source, name), encoding='utf-8', newline='') as f, \
         open(os.path.join(target, out), 'w', encoding='utf-8', newline='') as g:
        reader = csv.reader(f)
        writer = csv.writer(g, quoting=csv.QUOTE_ALL if name.startswith('rome') else csv.QUOTE_MINIMAL, lineterminator='\n')
        header = next(reader)
        writer.writerow(header)
        count = 0
        for row in reader:
            if keep(dict(zip(header, row))):
                writer.writerow(row)
                count += 1
        print(f'{out}: {count} rows')

copy('rome/unix_referentiel_code_rome_v460_utf8.csv', 'rome-codes.csv', lambda r: r['code_rome'].startswith(domains))
copy('rome/unix_referentiel_appellation_v460_utf8.csv', 'rome-appellations.csv',
     lambda r: r['code_rome'].startswith(titled) and r['peu_usite'] != 'O')
copy('communes/communes.csv', 'communes.csv',
     lambda r: r['insee_dep'] in ('13', '91', '75') or r['insee_parente'] == '69123')
