"""Build the corpus of broken and hostile input files in ``tests/data/corpus/files``.

Every file imitates something real exports do: Excel in Baltic and Polish
locales, survey platforms, CRM dumps, files damaged on the way. What cxkit must
do with each file is written down in ``tests/data/corpus/expected.yml`` and checked
by ``tests/data/test_corpus.py``.

Run ``python tests/data/corpus/make_corpus.py`` to regenerate the files. The output
is deterministic (fixed zip timestamps, seeded bytes), and a test checks that
the committed files are what this script writes. Big files (a 1 MB comment, a
10,000-column line) are built at test time by :func:`big_files`, not committed.

Binary fixtures are written by hand so that every byte is under control:
``.xlsx`` workbooks are assembled from their XML parts (inline strings,
numbers, dates, error cells, formulas with and without a saved result, merged
cells, hidden sheets), and the password-protected workbook and the old
``.xls`` file are minimal OLE/CFB containers (the format Office uses for
encrypted workbooks: streams ``EncryptionInfo`` and ``EncryptedPackage``).
"""
from __future__ import annotations

import datetime as dt
import gzip
import io
import random
import struct
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"

H = "response_id,customer_id,unit,date,touchpoint,nps,csat,ces,comment"
H_SEMI = H.replace(",", ";")


# --------------------------------------------------------------------------------------
# text files


def lines(*rows: str, newline: str = "\n", final: bool = True) -> str:
    return newline.join(rows) + (newline if final else "")


def text_files() -> dict[str, bytes]:
    f: dict[str, bytes] = {}

    def put(name, text, encoding="utf-8"):
        f[name] = text.encode(encoding) if isinstance(text, str) else text

    # --- delimiters, encodings, BOMs ----------------------------------------------------
    put("r01_semicolon_cp1257_crlf.csv", lines(
        H_SEMI,
        "R-1;C-1;Klaipėda Akropolis;2025-03-01;store;9;5;5;Ačiū, labai malonus aptarnavimas",
        "R-2;C-2;Šiauliai Saulės miestas;2025-03-02;store;6;3;4;Per ilgai laukiau eilėje",
        "R-3;C-3;Klaipėda Akropolis;2025-03-03;delivery;10;5;5;Greitas pristatymas, žinutė apie siuntą",
        newline="\r\n"), "cp1257")
    put("r02_tab_named_csv.csv", lines(
        H.replace(",", "\t"),
        "R-1\tC-1\tRīga Centrs\t2025-04-01\tstore\t8\t4\t4\tviss kārtībā",
        "R-2\tC-2\tRīga Centrs\t2025-04-02\tstore\t10\t5\t5\tļoti labi, paldies"))
    put("r03_semicolon_forced_comma.csv", lines(
        H_SEMI,
        "R-1;C-1;Vilnius Ozas;2025-01-03;store;9;5;5;gerai",
        "R-2;C-2;Vilnius Ozas;2025-01-04;store;7;4;4;normaliai"))
    put("r04_bom_utf8.csv", b"\xef\xbb\xbf" + lines(
        H,
        "R-1,C-1,Vilnius Ozas,2025-01-03,store,9,5,5,Puiku",
        "R-2,C-2,Vilnius Ozas,2025-01-04,store,3,2,2,Blogai").encode())
    put("r05_utf16_unicode_text.txt", "\ufeff".encode("utf-16-le") + lines(
        H.replace(",", "\t"),
        "R-1\tC-1\tGdańsk Oliwa\t2025-02-01\tstore\t9\t5\t5\tŚwietna obsługa",
        "R-2\tC-2\tGdańsk Oliwa\t2025-02-02\tstore\t4\t2\t3\tZa długo czekałem",
        "R-3\tC-3\tGdańsk Oliwa\t2025-02-03\tstore\t12\t2\t3\tŹle",
        newline="\r\n").encode("utf-16-le"))
    put("r06_cp1250_polish.csv", lines(
        H_SEMI,
        "R-1;C-1;Kraków Galeria;2025-05-01;store;10;5;5;Wszystko świetnie, dziękuję",
        "R-2;C-2;Łódź Manufaktura;2025-05-02;delivery;5;2;2;Paczka przyszła uszkodzona, źle zapakowana"), "cp1250")
    f["r69_mixed_encodings.csv"] = (b"\xef\xbb\xbf" + lines(
        H_SEMI,
        "R-1;C-1;Klaipėda Akropolis;2025-03-01;store;9;5;5;Ačiū").encode("utf-8")
        + lines("R-2;C-2;Šiauliai Saulės miestas;2025-03-02;store;6;3;4;Per ilgai laukiau eilėje",
                "R-3;C-3;Klaipėda Akropolis;2025-03-03;store;10;5;5;Žinutė apie siuntą").encode("cp1257"))
    put("u07_units_cp1257_decimal_comma.csv", lines(
        "unit;region;parent;target_nps;target_csat",
        "Klaipėda Akropolis;Vakarų Lietuva;Lietuva;45,5;85",
        "Šiauliai Saulės miestas;Šiaurės Lietuva;Lietuva;40;82,5",
        "Panevėžys Babilonas;Šiaurės Lietuva;Lietuva;35;80"), "cp1257")

    # --- numbers: decimal commas, thousands separators, currencies, negatives ----------
    put("v08_revenue_decimal_comma_thousands.csv", lines(
        "customer_id;date;amount",
        "C-1;2025-01-31;1 234,56",
        "C-2;2025-01-31;12,50",
        "C-3;2025-01-31;1.234,56",
        "C-4;2025-01-31;1\u00a0000,00",
        "C-5;2025-01-31;7"))
    put("v09_revenue_thousands_comma.csv", lines(
        "customer_id,date,amount",
        'C-1,2025-01-31,"1,234.56"',
        "C-2,2025-01-31,12.50",
        'C-3,2025-01-31,"1,000"',
        "C-4,2025-01-31,99"))
    put("v10_revenue_mixed_decimal_styles.csv", lines(
        "customer_id;date;amount",
        "C-1;2025-01-31;1.234,56",
        "C-2;2025-01-31;12,50",
        "C-3;2025-01-31;1,234.56",
        "C-4;2025-01-31;99,90"))
    put("v11_revenue_currency_symbols.csv", lines(
        "customer_id;date;amount",
        "C-1;2025-01-31;€1 234,50",
        "C-2;2025-01-31;12,00 EUR",
        "C-3;2025-01-31;EUR 5",
        "C-4;2025-01-31;8,25"))
    put("v12_revenue_mixed_currencies.csv", lines(
        "customer_id;date;amount",
        "C-1;2025-01-31;€10,00",
        "C-2;2025-01-31;12,00 EUR",
        "C-3;2025-01-31;40,00 PLN",
        "C-4;2025-01-31;15 zł",
        "C-5;2025-01-31;€3"))
    put("v13_revenue_negative.csv", lines(
        "customer_id,date,amount",
        "C-1,2025-01-31,120.00",
        "C-2,2025-01-31,-12.50",
        "C-3,2025-01-31,(45.00)",
        "C-4,2025-01-31,99.00-",
        "C-5,2025-01-31,0"))

    # --- headers --------------------------------------------------------------------------
    put("r14_missing_required_column.csv", lines(
        "response_id,customer_id,unit,touchpoint,nps",
        "R-1,C-1,Vilnius Ozas,store,9"))
    put("r15_renamed_columns.csv", lines(
        "Response ID,Shop,Survey date,How likely are you to recommend us?",
        "R-1,Vilnius Ozas,2025-01-03,9",
        "R-2,Vilnius Ozas,2025-01-04,7"))
    put("r16_duplicated_contract_header.csv", lines(
        "response_id,unit,date,nps,NPS",
        "R-1,Vilnius Ozas,2025-01-03,9,8"))
    put("r17_duplicated_extra_headers.csv", lines(
        "response_id,unit,date,nps,Note,Note,,",
        "R-1,Vilnius Ozas,2025-01-03,9,first note,second note,x,y",
        "R-2,Vilnius Ozas,2025-01-04,8,a,b,,"))
    put("r18_trailing_empty_columns.csv", lines(
        "response_id;unit;date;nps;Store manager;;;",
        "R-1;Vilnius Ozas;2025-01-03;9;Ona;;;",
        "R-2;Vilnius Ozas;2025-01-04;8;Jonas;;;",
        ";;;;;;;"))
    put("r19_header_trailing_separator.csv", lines(
        "response_id,unit,date,nps,",
        "R-1,Vilnius Ozas,2025-01-03,9",
        "R-2,Vilnius Ozas,2025-01-04,8"))
    put("r68_data_trailing_separators.csv", lines(
        "response_id;unit;date;nps",
        "R-1;Vilnius Ozas;2025-01-03;9;;",
        "R-2;Vilnius Ozas;2025-01-04;8;;",
        "R-3;Vilnius Ozas;2025-01-05;12;;"))
    put("r20_header_spaces_and_case.csv", lines(
        " Response_ID ,UNIT , Date,NPS ,CSat",
        "R-1,Vilnius Ozas,2025-01-03,9,5"))

    # --- scores ---------------------------------------------------------------------------
    put("r21_scores_out_of_range.csv", lines(
        "response_id,unit,date,nps,csat,ces,attr_delivery",
        "R-1,Vilnius Ozas,2025-01-03,9,5,5,10",
        "R-2,Vilnius Ozas,2025-01-03,11,5,5,10",
        "R-3,Vilnius Ozas,2025-01-03,-1,5,5,10",
        "R-4,Vilnius Ozas,2025-01-03,9,0,5,10",
        "R-5,Vilnius Ozas,2025-01-03,9,6,5,10",
        "R-6,Vilnius Ozas,2025-01-03,9,5,9,10",
        "R-7,Vilnius Ozas,2025-01-03,9,5,5,12"))
    put("r22_scores_not_whole.csv", lines(
        "response_id;unit;date;nps;csat",
        "R-1;Vilnius Ozas;2025-01-03;9,5;4",
        "R-2;Vilnius Ozas;2025-01-03;8.5;4",
        "R-3;Vilnius Ozas;2025-01-03;7,0;4",
        "R-4;Vilnius Ozas;2025-01-03;10;4.0",
        "R-5;Vilnius Ozas;2025-01-03;1e1;4"))
    put("r23_scores_as_text.csv", lines(
        "response_id,unit,date,nps,csat",
        "R-1,Vilnius Ozas,2025-01-03,10/10,5",
        "R-2,Vilnius Ozas,2025-01-03,ten,5",
        "R-3,Vilnius Ozas,2025-01-03,9,Very satisfied",
        "R-4,Vilnius Ozas,2025-01-03,9 ,5",
        "R-5,Vilnius Ozas,2025-01-03,★★★★★,5",
        "R-6,Vilnius Ozas,2025-01-03,8/10,5"))
    put("r24_scores_placeholders.csv", lines(
        "response_id,unit,date,nps,csat,ces",
        "R-1,Vilnius Ozas,2025-01-03,N/A,5,4",
        "R-2,Vilnius Ozas,2025-01-03,9,n/a,-",
        "R-3,Vilnius Ozas,2025-01-03,NA,4,",
        "R-4,Vilnius Ozas,2025-01-03,-,–,null",
        "R-5,Vilnius Ozas,2025-01-03,8,#N/A,4"))
    put("r25_score_labels.csv", lines(
        "response_id,unit,date,nps,csat",
        "R-1,Vilnius Ozas,2025-01-03,10 - Extremely likely,5 - Very satisfied",
        "R-2,Vilnius Ozas,2025-01-03,0 - Not at all likely,1 - Very dissatisfied",
        "R-3,Vilnius Ozas,2025-01-03,7,3",
        "R-4,Vilnius Ozas,2025-01-03,11 - Extremely likely,3"))

    # --- units ----------------------------------------------------------------------------
    put("r26_empty_units.csv", lines(
        H,
        "R-1,C-1,Vilnius Ozas,2025-01-03,store,9,5,5,",
        "R-2,C-2,,2025-01-03,store,9,5,5,",
        "R-3,C-3,   ,2025-01-03,store,9,5,5,",
        'R-4,C-4,"",2025-01-03,store,9,5,5,'))
    put("r27_unit_spelling_variants.csv", lines(
        "response_id,unit,date,nps",
        "R-1,Vilnius Ozas,2025-01-03,9",
        "R-2, Vilnius Ozas ,2025-01-03,9",
        "R-3,VILNIUS OZAS,2025-01-03,9",
        "R-4,vilnius  ozas,2025-01-03,9",
        "R-5,Vilnius\u00a0Ozas,2025-01-03,9",
        "R-6,\u0160iauliai,2025-01-03,9",
        "R-7,S\u030ciauliai,2025-01-03,9"))

    # --- dates ----------------------------------------------------------------------------
    put("r28_mixed_date_formats.csv", lines(
        "response_id,unit,date,nps",
        "R-1,Vilnius Ozas,2025-03-05,9",
        "R-2,Vilnius Ozas,06.03.2025,9",
        "R-3,Vilnius Ozas,2025/03/07,9",
        "R-4,Vilnius Ozas,25/03/2025,9",
        "R-5,Vilnius Ozas,20250308,9",
        "R-6,Vilnius Ozas,2025-03-09 14:30,9",
        "R-7,Vilnius Ozas,3 Mar 2025,9",
        "R-8,Vilnius Ozas,31.02.2025,9",
        "R-9,Vilnius Ozas,05.03.25,9"))
    put("r29_ambiguous_slash_dates.csv", lines(
        "response_id,unit,date,nps",
        "R-1,Vilnius Ozas,2025-01-05,9",
        "R-2,Vilnius Ozas,13/01/2025,9",
        "R-3,Vilnius Ozas,01/13/2025,9"))
    put("r30_future_dates.csv", lines(
        "response_id,unit,date,nps",
        "R-1,Vilnius Ozas,2026-01-15,9",
        "R-2,Vilnius Ozas,2026-01-16,9",
        "R-3,Vilnius Ozas,2031-01-01,9",
        "R-4,Vilnius Ozas,1899-12-31,9"))
    put("r31_excel_serial_dates.csv", lines(
        "response_id,unit,date,nps",
        "R-1,Vilnius Ozas,45678,9",
        "R-2,Vilnius Ozas,45679.75,9",
        "R-3,Vilnius Ozas,2025-01-05,9",
        "R-4,Vilnius Ozas,123,9"))
    put("c32_customers_sentinel_dates.csv", lines(
        "customer_id,unit,acquired_at,churned_at",
        "C-1,Vilnius Ozas,2024-01-10,",
        "C-2,Vilnius Ozas,2024-01-10,9999-12-31",
        "C-3,Vilnius Ozas,0001-01-01,",
        "C-4,Vilnius Ozas,2024-02-30,"))
    put("t33_first_response_before_created.csv", lines(
        "ticket_id,customer_id,unit,channel,created_at,first_response_at,resolved_at",
        "T-1,C-1,Vilnius Ozas,email,2025-01-01 10:00,2025-01-01 11:00,2025-01-02 09:00",
        "T-2,C-2,Vilnius Ozas,email,2025-01-01 10:00,2025-01-01 09:00,2025-01-02 09:00",
        "T-3,C-3,Vilnius Ozas,phone,2025-01-03 10:00,2025-01-03 10:05,2025-01-02 09:00",
        "T-4,C-4,Vilnius Ozas,chat,2025-01-03 10:00,,"))
    put("t34_ticket_datetime_formats.csv", lines(
        "ticket_id,unit,created_at,first_response_at",
        "T-1,Vilnius Ozas,2025-01-01T10:00:00Z,2025-01-01T10:30:00Z",
        "T-2,Vilnius Ozas,2025-01-01 12:00:00+02:00,2025-01-01 10:45:00Z",
        "T-3,Vilnius Ozas,01.02.2025 14:30,01.02.2025 15:00",
        "T-4,Vilnius Ozas,45678.5,45678.75"))
    put("c35_churn_before_acquisition.csv", lines(
        "customer_id,unit,acquired_at,churned_at",
        "C-1,Vilnius Ozas,2024-03-01,2025-01-01",
        "C-2,Vilnius Ozas,2025-03-01,2025-01-01",
        "C-3,Vilnius Ozas,2024-03-01,"))
    put("c36_churn_flags.csv", lines(
        "customer_id,churned,tenure_months,monthly_revenue",
        "C-1,Yes,5,20.5",
        "C-2,No,30,10",
        "C-3,TAIP,12,15",
        "C-4,maybe,3,12",
        "C-5,nie,-2,12"))

    # --- ids ------------------------------------------------------------------------------
    put("r37_duplicate_ids.csv", lines(
        "response_id,unit,date,nps",
        "R-1,Vilnius Ozas,2025-01-03,9",
        "R-2,Vilnius Ozas,2025-01-03,8",
        "R-1,Vilnius Ozas,2025-01-04,7",
        "R-3,Vilnius Ozas,2025-01-04,7",
        "R-2,Vilnius Ozas,2025-01-05,6"))
    put("u38_duplicate_units_case.csv", lines(
        "unit,region",
        "Vilnius Ozas,Vilnius",
        "Kaunas Mega,Kaunas",
        "VILNIUS OZAS ,Vilnius"))

    # --- empty and truncated files --------------------------------------------------------
    put("r39_zero_bytes.csv", b"")
    put("r40_blank_lines_only.csv", "\n\r\n   \n\t\n")
    put("r41_header_only.csv", lines(H))
    put("r42_header_only_no_newline.csv", H)
    put("r43_truncated_last_line.csv", lines(
        H,
        "R-1,C-1,Vilnius Ozas,2025-01-03,store,9,5,5,gerai",
        "R-2,C-2,Vilnius Ozas,2025-01-04,store,8,4,4,neblogai",
        "R-3,C-3,Vilnius Oz", final=False))
    put("r44_truncated_inside_quote.csv", lines(
        H,
        "R-1,C-1,Vilnius Ozas,2025-01-03,store,9,5,5,gerai",
        'R-2,C-2,Vilnius Ozas,2025-01-04,store,8,4,4,"Labai gerai, bet eilė buvo', final=False))
    put("r45_nul_bytes.csv", lines(
        H,
        "R-1,C-1,Vilnius Ozas,2025-01-03,store,9,5,5,gerai",
        "R-2,C-2,Vilnius Ozas,2025-01-04,store,8\x00,4,4,",
        "\x00\x00R-3,C-3,Vilnius Ozas,2025-01-05,store,7,4,4,ok"))
    put("r46_very_long_values.csv", lines(
        "response_id,unit,date,nps",
        "R-1,Vilnius Ozas,2025-01-03,9",
        "R-" + "9" * 298 + ",Vilnius Ozas,2025-01-03,9",
        "R-3," + "Vilnius Ozas " * 20 + ",2025-01-03,9"))

    # --- line endings and quoting ---------------------------------------------------------
    put("r47_crlf_multiline.csv", lines(
        H,
        'R-1,C-1,Vilnius Ozas,2025-01-03,store,9,5,5,"first line\r\nsecond line"',
        "R-2,C-2,Vilnius Ozas,2025-01-04,store,11,4,4,",
        "",
        "R-3,C-3,Vilnius Ozas,2025-01-05,store,7,9,4,",
        newline="\r\n"))
    put("r48_cr_only.csv", lines(
        H,
        "R-1,C-1,Vilnius Ozas,2025-01-03,store,9,5,5,ok",
        "R-2,C-2,Vilnius Ozas,2025-01-04,store,11,4,4,",
        "R-3,C-3,Vilnius Ozas,2025-01-05,store,7,4,4,",
        newline="\r"))
    put("r49_mixed_line_endings.csv",
        H + "\r\n"
        + "R-1,C-1,Vilnius Ozas,2025-01-03,store,9,5,5,ok\n"
        + 'R-2,C-2,Vilnius Ozas,2025-01-04,store,9,4,4,"a\r\nb"\r'
        + "R-3,C-3,Vilnius Ozas,2025-01-05,store,11,4,4,\n"
        + "R-4,C-4,Vilnius Ozas,2025-01-06,store,8,4,4,\r\n")
    put("r50_semicolon_multiline_quotes.csv", lines(
        H_SEMI,
        'R-1;C-1;Vilnius Ozas;2025-01-03;store;9;5;5;"Pardavėja sakė: ""ateikite rytoj""; aš atėjau"',
        'R-2;C-2;Vilnius Ozas;2025-01-04;store;8;4;4;"Pirma eilutė\nAntra eilutė; su kabliataškiu\nTrečia"',
        "R-3;C-3;Vilnius Ozas;2025-01-05;store;12;4;4;",
        'R-4;C-4;Vilnius Ozas;2025-01-06;store;7;4;4;"vienas\n\ndu"',
        "R-5;C-5;Vilnius Ozas;2025-01-07;store;6;9;4;"))
    put("r51_unclosed_quote_mid_file.csv", lines(
        H,
        "R-1,C-1,Vilnius Ozas,2025-01-03,store,9,5,5,ok",
        'R-2,C-2,Vilnius Ozas,2025-01-04,store,8,4,4,"Eilė buvo ilga',
        "R-3,C-3,Vilnius Ozas,2025-01-05,store,7,4,4,ok",
        "R-4,C-4,Vilnius Ozas,2025-01-06,store,6,4,4,ok",
        "R-5,C-5,Vilnius Ozas,2025-01-07,store,5,4,4,ok"))
    put("r67_quote_swallows_rows.csv", lines(
        H,
        "R-1,C-1,Vilnius Ozas,2025-01-03,store,9,5,5,ok",
        'R-2,C-2,Vilnius Ozas,2025-01-04,store,8,4,4,"Eilė buvo ilga',
        "R-3,C-3,Vilnius Ozas,2025-01-05,store,7,4,4,ok",
        'R-4,C-4,Vilnius Ozas,2025-01-06,store,6,4,4,"',
        "R-5,C-5,Vilnius Ozas,2025-01-07,store,5,4,4,ok"))
    put("r52_unquoted_delimiter_in_comment.csv", lines(
        H,
        "R-1,C-1,Vilnius Ozas,2025-01-03,store,9,5,5,ok",
        "R-2,C-2,Vilnius Ozas,2025-01-04,store,8,4,4,greitai, mandagiai, pigiai",
        "R-3,C-3,Vilnius Ozas,2025-01-05,store,7,4,4,ok"))
    put("r53_excel_sep_line.csv", lines(
        "sep=;",
        H_SEMI,
        "R-1;C-1;Vilnius Ozas;2025-01-03;store;9;5;5;gerai",
        "R-2;C-2;Vilnius Ozas;2025-01-04;store;11;4;4;"))
    put("r54_title_rows_above_header.csv", lines(
        "Customer survey export",
        "Generated 2025-06-30 by CRM; filter: all units",
        "",
        H,
        "R-1,C-1,Vilnius Ozas,2025-01-03,store,9,5,5,",
        "R-2,C-2,Vilnius Ozas,2025-01-04,store,11,4,4,"))
    put("r55_qualtrics_three_header_rows.csv", lines(
        "StartDate,EndDate,ResponseId,Q_Shop,Q1_NPS_GROUP,Q1,Q2,Q3_TEXT",
        '"Start Date","End Date","Response ID","Which shop did you visit?","Q1 - Group",'
        '"How likely are you to recommend us to a friend or colleague?","Overall, how satisfied are you?",'
        '"Anything else you would like to tell us?"',
        '"{""ImportId"":""startDate"",""timeZone"":""Europe/Vilnius""}","{""ImportId"":""endDate"",""timeZone"":""Europe/Vilnius""}",'
        '"{""ImportId"":""_recordId""}","{""ImportId"":""QID4""}","{""ImportId"":""QID1_NPS_GROUP""}","{""ImportId"":""QID1""}",'
        '"{""ImportId"":""QID2""}","{""ImportId"":""QID3_TEXT""}"',
        "2025-03-01 10:02:11,2025-03-01 10:04:40,R_1a2B3c,Vilnius Ozas,Promoter,10,5,Puiku",
        '2025-03-01 11:15:00,2025-03-01 11:19:02,R_4d5E6f,Vilnius Ozas,Detractor,3,2,"Ilgai laukiau,\nniekas nepadėjo"',
        "2025-03-02 09:00:00,2025-03-02 09:03:30,R_7g8H9i,Kaunas Mega,Passive,11,4,"))
    put("r56_concatenated_exports.csv",
        lines(H, "R-1,C-1,Vilnius Ozas,2025-01-03,store,9,5,5,",
              "R-2,C-2,Vilnius Ozas,2025-01-04,store,8,4,4,").encode()
        + b"\xef\xbb\xbf" + lines(H, "R-3,C-3,Kaunas Mega,2025-01-05,store,7,4,4,",
                                  "R-4,C-4,Kaunas Mega,2025-01-06,store,6,3,3,").encode())
    put("r57_invisible_characters.csv", lines(
        "response_id,customer_id,unit,date,nps",
        "R-1,C-1,Vilnius Ozas,2025-01-03,9",
        "R-1\u200b,C-2,Vilnius Ozas,2025-01-03,8",
        "\ufeffR-3,C-3\u2060,Vil\u00adnius Ozas,2025-01-04,7",
        "R-4,C-4,Vilnius Ozas\u200b,2025-01-04,7"))
    put("r58_leading_apostrophes.csv", lines(
        "response_id,customer_id,unit,date,nps,comment",
        "'0001,'000123,Vilnius Ozas,'2025-01-03,'9,'-)",
        "0002,000124,Vilnius Ozas,2025-01-04,8,ok"))
    put("r59_hostile_text.csv", lines(
        H,
        'R-1,C-1,Vilnius Ozas,2025-01-03,store,9,5,5,"=HYPERLINK(""http://evil.example"",""click"")"',
        "R-2,C-2,Vilnius Ozas,2025-01-03,store,9,5,5,+SUM(1;2)",
        "R-3,C-3,Vilnius Ozas,2025-01-03,store,9,5,5,@cmd",
        "R-4,C-4,Vilnius Ozas,2025-01-03,store,9,5,5,<script>alert('x')</script>",
        "R-5,C-5,Vilnius Ozas,2025-01-03,store,9,5,5,Super 👍🏽🎉 שירות מצוין خدمة ممتازة",
        "R-6,C-6,Vilnius Ozas,2025-01-03,store,9,5,5,abc\u202etxt.exe",
        "R-7,C-7,Vilnius Ozas,2025-01-03,store,9,5,5,bell\x07 and escape\x1b[31m"))
    put("r60_excel_error_values.csv", lines(
        "response_id;unit;date;nps;csat",
        "R-1;Vilnius Ozas;2025-01-03;9;5",
        "R-2;#N/A;2025-01-03;9;5",
        "R-3;Vilnius Ozas;2025-01-03;#DIV/0!;5",
        "R-4;Vilnius Ozas;#VALUE!;9;5",
        "R-5;Vilnius Ozas;2025-01-03;9;#REF!"))
    put("r61_no_scores.csv", lines(
        "response_id,unit,date,nps,csat,ces,comment",
        "R-1,Vilnius Ozas,2025-01-03,9,,,",
        "R-2,Vilnius Ozas,2025-01-03,,,,only a comment",
        "R-3,Vilnius Ozas,2025-01-03,,,3,"))
    put("r62_one_column.csv", lines("response_id", "R-1", "R-2"))
    put("r63_html_saved_as_xls.xls", lines(
        '<html xmlns:x="urn:schemas-microsoft-com:office:excel">',
        "<head><meta charset=\"utf-8\"></head><body><table>",
        "<tr><td>response_id</td><td>unit</td><td>date</td><td>nps</td></tr>",
        "<tr><td>R-1</td><td>Vilnius Ozas</td><td>2025-01-03</td><td>9</td></tr>",
        "</table></body></html>"))
    f["r64_gzip_named_csv.csv"] = gzip.compress(
        lines(H, "R-1,C-1,Vilnius Ozas,2025-01-03,store,9,5,5,").encode(), mtime=0)
    f["r65_xlsx_named_csv.csv"] = xlsx({"Sheet1": [
        ["response_id", "unit", "date", "nps"],
        ["R-1", "Vilnius Ozas", dt.date(2025, 1, 3), 9],
        ["R-2", "Vilnius Ozas", dt.date(2025, 1, 4), 12]]})
    put("r66_csv_named_xlsx.xlsx", lines(
        "response_id,unit,date,nps",
        "R-1,Vilnius Ozas,2025-01-03,9"))
    return f


# --------------------------------------------------------------------------------------
# xlsx, assembled from its XML parts


class Err:
    """An error cell (``t="e"``) as Excel saves it, with the formula that produced it."""

    def __init__(self, code: str, formula: str = "NA()"):
        self.code, self.formula = code, formula


class Formula:
    """A formula cell; ``cached=None`` writes no saved result (as programs that are not Excel do)."""

    def __init__(self, formula: str, cached=None):
        self.formula, self.cached = formula, cached


def _col(i: int) -> str:
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


_EPOCH = dt.date(1899, 12, 30)


def _cell(ref: str, v) -> str:
    if v is None:
        return ""
    if isinstance(v, Err):
        return f'<c r="{ref}" t="e"><f>{escape(v.formula)}</f><v>{escape(v.code)}</v></c>'
    if isinstance(v, Formula):
        if v.cached is None:
            return f'<c r="{ref}"><f>{escape(v.formula)}</f></c>'
        return f'<c r="{ref}"><f>{escape(v.formula)}</f><v>{v.cached}</v></c>'
    if isinstance(v, bool):
        return f'<c r="{ref}" t="b"><v>{int(v)}</v></c>'
    if isinstance(v, dt.datetime):
        serial = (v - dt.datetime(1899, 12, 30)).total_seconds() / 86400
        return f'<c r="{ref}" s="2"><v>{serial!r}</v></c>'
    if isinstance(v, dt.date):
        return f'<c r="{ref}" s="1"><v>{(v - _EPOCH).days}</v></c>'
    if isinstance(v, (int, float)):
        return f'<c r="{ref}"><v>{v!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(v))}</t></is></c>'


def _sheet_xml(rows: list[list], merges: tuple[str, ...] = (), dimension: str | None = None) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           + (f'<dimension ref="{dimension}"/>' if dimension else "") + "<sheetData>"]
    for r, row in enumerate(rows, start=1):
        if row is None:
            continue
        cells = "".join(_cell(f"{_col(c)}{r}", v) for c, v in enumerate(row))
        out.append(f'<row r="{r}">{cells}</row>')
    out.append("</sheetData>")
    if merges:
        out.append(f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges)
                   + "</mergeCells>")
    out.append("</worksheet>")
    return "".join(out)


_STYLES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/></numFmts>'
           '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
           '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
           '<borders count="1"><border/></borders>'
           '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
           '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
           '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
           '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
           '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
           "</styleSheet>")


def _zip(parts: dict[str, str | bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data.encode("utf-8") if isinstance(data, str) else data)
    return buf.getvalue()


def xlsx(sheets: dict[str, list[list]], *, merges: dict[str, tuple[str, ...]] | None = None,
         hidden: tuple[str, ...] = (), dimension: str | None = None) -> bytes:
    """A minimal, valid .xlsx workbook (one XML part per sheet, inline strings, one date style)."""
    merges = merges or {}
    names = list(sheets)
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          '<Override PartName="/xl/styles.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
          + "".join(f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" '
                    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                    for i in range(len(names)))
          + "</Types>")
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>')
    wb = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
          + "".join(f'<sheet name="{escape(n)}" sheetId="{i + 1}" r:id="rId{i + 1}"'
                    + (' state="hidden"' if n in hidden else "") + "/>" for i, n in enumerate(names))
          + "</sheets></workbook>")
    wb_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
               + "".join(f'<Relationship Id="rId{i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                         f'relationships/worksheet" Target="worksheets/sheet{i + 1}.xml"/>' for i in range(len(names)))
               + f'<Relationship Id="rId{len(names) + 1}" Type="http://schemas.openxmlformats.org/officeDocument/'
                 '2006/relationships/styles" Target="styles.xml"/></Relationships>')
    parts: dict[str, str | bytes] = {"[Content_Types].xml": ct, "_rels/.rels": rels, "xl/workbook.xml": wb,
                                     "xl/_rels/workbook.xml.rels": wb_rels, "xl/styles.xml": _STYLES}
    for i, n in enumerate(names):
        parts[f"xl/worksheets/sheet{i + 1}.xml"] = _sheet_xml(sheets[n], merges.get(n, ()), dimension)
    return _zip(parts)


# --------------------------------------------------------------------------------------
# OLE / CFB containers (encrypted workbooks, old .xls)

_FREE, _END, _FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD


def _dir_entry(name: str, kind: int, *, left=_FREE, right=_FREE, child=_FREE, start=_END, size=0) -> bytes:
    raw = (name.encode("utf-16-le") + b"\x00\x00") if name else b""
    return (raw.ljust(64, b"\x00") + struct.pack("<HBB", len(raw), kind, 1)
            + struct.pack("<III", left, right, child) + b"\x00" * 16 + struct.pack("<I", 0)
            + b"\x00" * 16 + struct.pack("<III", start, size, 0))


def cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal compound file (CFB v3, 512-byte sectors) holding ``streams`` in the root storage.

    Streams under 4,096 bytes live in the mini stream (64-byte sectors), as the
    format requires; at most three streams (one directory sector).
    """
    assert 1 <= len(streams) <= 3
    sector = 512
    small = {n: d for n, d in streams.items() if len(d) < 4096}
    big = {n: d for n, d in streams.items() if len(d) >= 4096}
    # mini stream: 64-byte sectors
    mini, mini_fat, mini_start = b"", [], {}
    for name, data in small.items():
        n = max(1, -(-len(data) // 64))
        mini_start[name] = len(mini_fat)
        mini_fat += [len(mini_fat) + k + 1 for k in range(n - 1)] + [_END]
        mini += data.ljust(n * 64, b"\x00")
    # regular sectors: 0 = FAT, 1 = directory, 2 = mini FAT, then the mini stream, then big streams
    fat = [_FATSECT, _END, _END]
    content = []
    mini_stream_start = _END
    if mini:
        n = -(-len(mini) // sector)
        mini_stream_start = len(fat)
        fat += [len(fat) + k + 1 for k in range(n - 1)] + [_END]
        content.append(mini.ljust(n * sector, b"\x00"))
    big_start = {}
    for name, data in big.items():
        n = -(-len(data) // sector)
        big_start[name] = len(fat)
        fat += [len(fat) + k + 1 for k in range(n - 1)] + [_END]
        content.append(data.ljust(n * sector, b"\x00"))
    assert len(fat) <= sector // 4
    names = list(streams)
    # directory: a red-black tree ordered by (length, upper-case name); all black, a simple chain
    order = sorted(range(len(names)), key=lambda i: (len(names[i]), names[i].upper()))
    entries = [b""] * (len(names) + 1)
    for pos, i in enumerate(order):
        right = order[pos + 1] + 1 if pos + 1 < len(order) else _FREE
        data = streams[names[i]]
        start = mini_start[names[i]] if names[i] in small else big_start[names[i]]
        entries[i + 1] = _dir_entry(names[i], 2, right=right, start=start, size=len(data))
    entries[0] = _dir_entry("Root Entry", 5, child=order[0] + 1, start=mini_stream_start, size=len(mini))
    directory = b"".join(entries).ljust(sector, b"\x00")
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\x00" * 6 + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, 2 if mini_fat else _END,
                                          1 if mini_fat else 0, _END, 0)
              + struct.pack("<I", 0) + struct.pack("<I", _FREE) * 108)
    assert len(header) == 512
    fat_sector = struct.pack(f"<{sector // 4}I", *(fat + [_FREE] * (sector // 4 - len(fat))))
    mini_fat_sector = struct.pack(f"<{sector // 4}I", *(mini_fat + [_FREE] * (sector // 4 - len(mini_fat))))
    return header + fat_sector + directory + mini_fat_sector + b"".join(content)


def encrypted_workbook() -> bytes:
    """What Excel writes for a password-protected .xlsx: a CFB file, not a zip (agile encryption)."""
    rnd = random.Random(6)
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
           '<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption" '
           'xmlns:p="http://schemas.microsoft.com/office/2006/keyEncryptor/password">'
           '<keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" '
           'cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/>'
           '<dataIntegrity encryptedHmacKey="AAAAAAAAAAAAAAAAAAAAAA==" encryptedHmacValue="AAAAAAAAAAAAAAAAAAAAAA=="/>'
           '<keyEncryptors><keyEncryptor uri="http://schemas.microsoft.com/office/2006/keyEncryptor/password">'
           '<p:encryptedKey spinCount="100000" saltSize="16" blockSize="16" keyBits="256" hashSize="64" '
           'cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" '
           'saltValue="AAAAAAAAAAAAAAAAAAAAAA==" encryptedVerifierHashInput="AAAAAAAAAAAAAAAAAAAAAA==" '
           'encryptedVerifierHashValue="AAAAAAAAAAAAAAAAAAAAAA==" encryptedKeyValue="AAAAAAAAAAAAAAAAAAAAAA=="/>'
           '</keyEncryptor></keyEncryptors></encryption>')
    info = struct.pack("<HHI", 4, 4, 0x40) + xml.encode("utf-8")
    package = struct.pack("<Q", 4096) + bytes(rnd.getrandbits(8) for _ in range(4096))
    return cfb({"EncryptionInfo": info, "EncryptedPackage": package})


def old_xls() -> bytes:
    """An Excel 97-2003 .xls file: a CFB file with a ``Workbook`` stream (BIFF8 records)."""
    bof = struct.pack("<HHHHII", 0x0809, 16, 0x0600, 0x0005, 0, 0)
    eof = struct.pack("<HH", 0x000A, 0)
    return cfb({"Workbook": (bof + eof).ljust(4096, b"\x00")})


def xlsx_files() -> dict[str, bytes]:
    f: dict[str, bytes] = {}
    head = ["response_id", "unit", "date", "nps", "csat", "comment"]
    good = xlsx({"Answers": [head,
                             ["R-1", "Vilnius Ozas", dt.date(2025, 1, 3), 9, 5, "gerai"],
                             ["R-2", "Vilnius Ozas", dt.date(2025, 1, 4), 7, 4, ""]]})
    f["x67_named_sheet.xlsx"] = xlsx({"Summary": [["Report", "NPS"], ["All", 42]],
                                      "Answers": [head,
                                                  ["R-1", "Vilnius Ozas", dt.date(2025, 1, 3), 9, 5, "gerai"],
                                                  ["R-2", "Vilnius Ozas", dt.date(2025, 1, 4), 7, 4, None]]})
    f["x68_password_protected.xlsx"] = encrypted_workbook()
    f["x69_old_excel_97.xls"] = old_xls()
    f["x70_truncated.xlsx"] = good[: len(good) // 2]
    f["x71_zip_not_workbook.xlsx"] = _zip({"responses.csv": lines(H, "R-1,C-1,Vilnius Ozas,2025-01-03,store,9,5,5,"),
                                          "readme.txt": "export"})
    f["x72_header_not_row1.xlsx"] = xlsx({"Export": [
        ["Customer survey - Vilnius region"],
        None,
        ["Exported 2025-06-30", None, None, "Filter: all"],
        head,
        ["R-1", "Vilnius Ozas", dt.date(2025, 1, 3), 9, 5, "gerai"],
        ["R-2", "Vilnius Ozas", dt.date(2025, 1, 4), 11, 4, ""],
        None,
        ["R-3", "Kaunas Mega", dt.date(2025, 1, 5), 8, 4, ""]]})
    f["x73_merged_cells.xlsx"] = xlsx({"Answers": [
        head,
        ["R-1", "Vilnius Ozas", dt.date(2025, 1, 3), 9, 5, "gerai"],
        ["R-2", None, dt.date(2025, 1, 3), 8, 4, ""],
        ["R-3", None, dt.date(2025, 1, 4), 7, 4, ""],
        ["R-4", "Kaunas Mega", dt.date(2025, 1, 4), 6, 3, ""],
        ["R-5", None, dt.date(2025, 1, 5), 10, 5, ""]]}, merges={"Answers": ("B2:B4", "B5:B6")})
    f["x74_formulas_and_errors.xlsx"] = xlsx({"Answers": [
        head,
        ["R-1", "Vilnius Ozas", dt.date(2025, 1, 3), Formula("5+4", 9), 5, "cached formula result"],
        ["R-2", Err("#N/A", 'VLOOKUP(A3,Units!A:B,2,FALSE)'), dt.date(2025, 1, 3), 8, 4, ""],
        ["R-3", "Vilnius Ozas", dt.date(2025, 1, 4), Err("#DIV/0!", "A1/0"), 4, ""],
        ["R-4", "Vilnius Ozas", dt.date(2025, 1, 4), Formula("D2-1"), 4, "formula without saved result"],
        ["R-5", "Vilnius Ozas", dt.date(2025, 1, 5), 7, 4, Err("#NAME?", "FOO()")],
        ["R-6", "Vilnius Ozas", Err("#VALUE!", 'DATEVALUE("x")'), 7, 4, ""]]})
    f["x75_header_only.xlsx"] = xlsx({"Answers": [head]})
    f["x76_empty_sheet.xlsx"] = xlsx({"Answers": []})
    f["x77_dates_and_numbers.xlsx"] = xlsx({"Answers": [
        head,
        ["R-1", "Vilnius Ozas", dt.date(2025, 1, 3), 9, 5, ""],
        ["R-2", "Vilnius Ozas", "03.01.2025", 9.0, 5, ""],
        ["R-3", "Vilnius Ozas", 45678, 8, 4, ""],
        ["R-4", "Vilnius Ozas", dt.datetime(2025, 1, 6, 14, 30), 8, 4, ""],
        ["R-5", "Vilnius Ozas", dt.date(2025, 1, 6), dt.date(2025, 10, 10), 4, "Excel turned 10/10 into a date"],
        ["R-6", "Vilnius Ozas", dt.date(2025, 1, 7), 8.5, 4, ""],
        ["R-7", "Vilnius Ozas", dt.date(2025, 1, 7), True, 4, ""]]})
    f["x78_hidden_first_sheet.xlsx"] = xlsx({"Lookup": [["code", "name"], ["VO", "Vilnius Ozas"]],
                                             "Answers": [head,
                                                         ["R-1", "Vilnius Ozas", dt.date(2025, 1, 3), 9, 5, ""]]},
                                            hidden=("Lookup",))
    f["x80_wrong_saved_dimension.xlsx"] = xlsx({"Answers": [
        head,
        ["R-1", "Vilnius Ozas", dt.date(2025, 1, 3), 9, 5, "the file says its data is only A1:B2"],
        ["R-2", "Vilnius Ozas", dt.date(2025, 1, 4), 12, 4, ""],
        ["R-3", "Kaunas Mega", dt.date(2025, 1, 5), 6, 3, ""]]}, dimension="A1:B2")
    f["x81_values_right_of_header.xlsx"] = xlsx({"Answers": [
        ["response_id", "unit", "date", "nps"],
        ["R-1", "Vilnius Ozas", dt.date(2025, 1, 3), 9, None, "a note typed next to the table"],
        ["R-2", "Vilnius Ozas", dt.date(2025, 1, 4), 8]]})
    f["x79_opendocument_named_xlsx.xlsx"] = _zip({
        "mimetype": "application/vnd.oasis.opendocument.spreadsheet",
        "content.xml": '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
                       'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>'})
    return f


# --------------------------------------------------------------------------------------
# parquet


def parquet_files() -> dict[str, bytes]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    def write(table: "pa.Table") -> bytes:
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink, compression="snappy")
        return sink.getvalue().to_pybytes()

    f: dict[str, bytes] = {}
    f["p80_wrong_types.parquet"] = write(pa.table({
        "response_id": pa.array([1, 2, 3, 4, 5], pa.int64()),
        "unit": pa.array([101, 101, 102, None, 101], pa.int32()),
        "date": pa.array(["2025-01-03", "03.01.2025", "yesterday", "2025-01-04", "2025-01-05"]),
        "nps": pa.array(["9", "ten", "8", "7", "10"]),
        "csat": pa.array([4.0, 4.5, None, 5.0, 3.0], pa.float64()),
    }))
    good = write(pa.table({"response_id": ["R-1", "R-2"], "unit": ["Vilnius Ozas"] * 2,
                           "date": ["2025-01-03", "2025-01-04"], "nps": [9, 8]}))
    f["p81_truncated.parquet"] = good[: len(good) - 40]
    f["p82_typed_columns.parquet"] = write(pa.table({
        "response_id": pa.array(["R-1", "R-2", "R-3", "R-4"]),
        "unit": pa.array(["Vilnius Ozas", "Vilnius Ozas", "Kaunas Mega", "Kaunas Mega"]).dictionary_encode(),
        "date": pa.array([dt.date(2025, 1, 3), dt.date(2025, 1, 4), dt.date(2030, 1, 1), None], pa.date32()),
        "nps": pa.array([9, 11, 8, 7], pa.int64()),
        "tags": pa.array([["a", "b"], [], None, ["c"]], pa.list_(pa.string())),
        "answered_at": pa.array([dt.datetime(2025, 1, 3, 10, 0)] * 4, pa.timestamp("us", tz="Europe/Vilnius")),
    }))
    return f


# --------------------------------------------------------------------------------------
# big files, built at test time


def big_files(folder: Path) -> dict[str, Path]:
    """Files too big to commit: a 1 MB comment, a 10,000-field line, a 2,000-column survey export."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    p = folder / "g01_one_megabyte_comment.csv"
    p.write_text(lines(H, "R-1,C-1,Vilnius Ozas,2025-01-03,store,9,5,5,\"" + "Labai ilgas komentaras. " * 43_691 + "\"",
                       "R-2,C-2,Vilnius Ozas,2025-01-04,store,11,4,4,"), encoding="utf-8")
    out[p.name] = p
    p = folder / "g02_ten_thousand_field_line.csv"
    p.write_text(lines(H, "R-1,C-1,Vilnius Ozas,2025-01-03,store,9,5,5,",
                       ",".join(f"v{i}" for i in range(10_000)),
                       "R-3,C-3,Vilnius Ozas,2025-01-05,store,7,4,4,"), encoding="utf-8")
    out[p.name] = p
    p = folder / "g03_two_thousand_columns.csv"
    extra = [f"Q{i}" for i in range(2_000)]
    p.write_text(lines(",".join(["response_id", "unit", "date", "nps"] + extra),
                       ",".join(["R-1", "Vilnius Ozas", "2025-01-03", "9"] + ["x"] * 2_000),
                       ",".join(["R-2", "Vilnius Ozas", "2025-01-04", "12"] + [""] * 2_000)), encoding="utf-8")
    out[p.name] = p
    return out


def build(folder: Path = FILES) -> dict[str, bytes]:
    """Write every corpus file into ``folder``; return name -> bytes."""
    files = {**text_files(), **xlsx_files(), **parquet_files()}
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return files


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else FILES
    written = build(target)
    print(f"wrote {len(written)} files to {target}")
