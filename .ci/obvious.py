#!/usr/bin/env python3
"""The obvious script a user would write instead of callbase clean, kept as
the comparison for .ci/bench: csv + phonenumbers on whole cells, dedupe by
E.164, write the first row of each number. Run only where the
phonenumbers module is installed (Debian: python3-phonenumbers).

    obvious.py IN.csv OUT.csv
"""
import csv
import sys

import phonenumbers


def main(src, dst):
    seen = set()
    rows = found = 0
    with open(src, newline="", encoding="utf-8-sig") as f, open(dst, "w", newline="", encoding="utf-8") as out:
        reader = csv.reader(f, delimiter=";")
        writer = csv.writer(out)
        header = next(reader)
        col = next(i for i, h in enumerate(header) if "тел" in h.lower())
        writer.writerow(["e164"] + header)
        for row in reader:
            rows += 1
            if col >= len(row):
                continue
            try:
                num = phonenumbers.parse(row[col], "RU")
            except phonenumbers.NumberParseException:
                continue
            if not phonenumbers.is_valid_number(num):
                continue
            e164 = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
            found += 1
            if e164 in seen:
                continue
            seen.add(e164)
            writer.writerow([e164] + row)
    print(f"{src}: {rows} rows, {found} numbers, {len(seen)} unique", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
