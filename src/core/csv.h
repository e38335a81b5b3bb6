// CSV as every export of Vigía writes it (vigia report, vigia serve's
// ?format=csv): RFC 4180 fields, made safe to open in a spreadsheet.
//
// A text field is quoted when it holds a comma, a double quote, CR or LF,
// with each double quote doubled (RFC 4180 §2 rules 5-7). A text field that
// a spreadsheet would run as a formula (it starts with = + - @, TAB or CR;
// OWASP "CSV Injection") gets a leading ' and is quoted: as2org names hold
// "=HYPERLINK(...)" in the wild. Numbers are written by CsvNumber, never
// through CsvField, so a negative number stays a number. Records end in
// LF, not the CRLF of RFC 4180 §2 rule 1: the exports have always done so
// and every CSV reader in use accepts both.
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vigia {

// One text field (RFC 4180 §2), formula-neutralised (OWASP).
std::string CsvField(std::string_view text);

// One number field: 2 decimals; "" for none.
std::string CsvNumber(const std::optional<double>& v);

// True when a spreadsheet would take `text` as a formula: it starts with
// = + - @, TAB or CR (OWASP).
bool CsvLooksLikeFormula(std::string_view text);

}  // namespace vigia
