"""Report languages: English, Lithuanian, Polish, Latvian.

Labels and headings (:func:`t`), and number and date formats as each locale
writes them: decimal comma and a space between thousands in lt / pl / lv, dates
``2025-12-31`` (lt), ``31.12.2025`` (pl), ``31.12.2025.`` (lv), ``31 Dec 2025`` (en).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from ._printer import is_missing

from .errors import ConfigError

__all__ = ["LANGUAGES", "t", "name_of", "format_number_local", "format_date_local", "format_percent_local"]

LANGUAGES = ("en", "lt", "pl", "lv")

_STRINGS: dict[str, dict[str, str]] = {
    # headings
    "report_title": {"en": "Customer experience report", "lt": "Klientų patirties ataskaita",
                     "pl": "Raport doświadczeń klientów", "lv": "Klientu pieredzes pārskats"},
    "summary_title": {"en": "Customer experience: leadership summary", "lt": "Klientų patirtis: vadovybės santrauka",
                      "pl": "Doświadczenia klientów: podsumowanie dla zarządu", "lv": "Klientu pieredze: kopsavilkums vadībai"},
    "index_title": {"en": "Customer experience reports", "lt": "Klientų patirties ataskaitos",
                    "pl": "Raporty doświadczeń klientów", "lv": "Klientu pieredzes pārskati"},
    # the index page and the links between the pages
    "index_interval": {"en": "{conf} CI {low} to {high}", "lt": "{conf} PI nuo {low} iki {high}",
                       "pl": "{conf} PU od {low} do {high}", "lv": "{conf} TI no {low} līdz {high}"},
    "index_target": {"en": "{metric}: target", "lt": "{metric}: tikslas", "pl": "{metric}: cel",
                     "lv": "{metric}: mērķis"},
    "index_change": {"en": "{metric}: change vs previous period",
                     "lt": "{metric}: pokytis, palyginti su ankstesniu laikotarpiu",
                     "pl": "{metric}: zmiana wobec poprzedniego okresu", "lv": "{metric}: izmaiņa pret iepriekšējo periodu"},
    "index_ranked": {"en": "Ranked by {metric}, best first. Click a column heading to sort by it.",
                     "lt": "Išrikiuota pagal {metric}, geriausi – viršuje. Spustelėkite stulpelio antraštę, kad "
                           "rikiuotumėte pagal jį.",
                     "pl": "Uszeregowano według {metric}, od najlepszych. Kliknij nagłówek kolumny, aby posortować "
                           "według niej.",
                     "lv": "Sakārtots pēc {metric}, labākie augšā. Noklikšķiniet uz kolonnas virsraksta, lai kārtotu "
                           "pēc tās."},
    "index_failed_notice": {"en": "Reports that could not be completed: {failed} of {total}. They are at the bottom "
                                  "of the table, with the error.",
                            "lt": "Nepavykusios ataskaitos: {failed} iš {total}. Jos – lentelės apačioje, su klaidos "
                                  "aprašu.",
                            "pl": "Raporty, których nie udało się przygotować: {failed} z {total}. Są na dole tabeli, "
                                  "z opisem błędu.",
                            "lv": "Pārskati, kurus neizdevās sagatavot: {failed} no {total}. Tie ir tabulas apakšā ar "
                                  "kļūdas aprakstu."},
    "index_report_failed": {"en": "Report failed", "lt": "Ataskaitos nepavyko parengti",
                            "pl": "Nie udało się przygotować raportu", "lv": "Pārskatu neizdevās sagatavot"},
    "index_legend_change": {"en": "Target and change: ▲/▼ and the word “better” or “worse” where the difference is "
                                  "significant after correction for multiple comparisons; otherwise the difference "
                                  "alone.",
                            "lt": "Tikslas ir pokytis: ▲/▼ ir žodis „geriau“ arba „blogiau“, kai skirtumas reikšmingas "
                                  "po daugkartinių palyginimų pataisos; kitaip – tik skirtumas.",
                            "pl": "Cel i zmiana: ▲/▼ i słowo „lepiej” lub „gorzej”, gdy różnica jest istotna po "
                                  "korekcie na wielokrotne porównania; w przeciwnym razie sama różnica.",
                            "lv": "Mērķis un izmaiņa: ▲/▼ un vārds „labāk” vai „sliktāk”, ja atšķirība ir būtiska pēc "
                                  "vairākkārtējo salīdzinājumu korekcijas; citādi tikai atšķirība."},
    "nav_index": {"en": "All reports", "lt": "Visos ataskaitos", "pl": "Wszystkie raporty", "lv": "Visi pārskati"},
    "nav_label": {"en": "Reports of this batch", "lt": "Šio rinkinio ataskaitos", "pl": "Raporty z tego zestawu",
                  "lv": "Šīs kopas pārskati"},
    "headline": {"en": "Headline metrics", "lt": "Pagrindiniai rodikliai", "pl": "Kluczowe wskaźniki", "lv": "Galvenie rādītāji"},
    "trends": {"en": "Trends", "lt": "Tendencijos", "pl": "Trendy", "lv": "Tendences"},
    "journey": {"en": "Customer journey: touchpoints", "lt": "Kliento kelionė: sąlyčio taškai",
                "pl": "Ścieżka klienta: punkty styku", "lv": "Klienta ceļš: saskarsmes punkti"},
    # the journey chart and the comment examples (plot_touchpoints, journey_section, themes_section)
    "journey_chart_title": {"en": "NPS per touchpoint ({level} interval)",
                            "lt": "NPS pagal sąlyčio tašką ({level} pasikliautinasis intervalas)",
                            "pl": "NPS według punktu styku (przedział ufności {level})",
                            "lv": "NPS pa saskarsmes punktiem ({level} ticamības intervāls)"},
    "journey_overall": {"en": "NPS of all touchpoints: {value}", "lt": "Visų sąlyčio taškų NPS: {value}",
                        "pl": "NPS wszystkich punktów styku: {value}", "lv": "Visu saskarsmes punktu NPS: {value}"},
    "journey_vs_others": {"en": "vs other touchpoints", "lt": "palyginti su kitais sąlyčio taškais",
                          "pl": "wobec innych punktów styku", "lv": "pret citiem saskarsmes punktiem"},
    "journey_xlabel": {"en": "NPS (points)", "lt": "NPS (balai)", "pl": "NPS (punkty)", "lv": "NPS (punkti)"},
    "journey_too_few": {"en": "n = {n} (too few to test)", "lt": "n = {n} (per mažai atsakymų testui)",
                        "pl": "n = {n} (za mało na test)", "lv": "n = {n} (par maz, lai pārbaudītu)"},
    "journey_not_shown": {"en": "Not shown (fewer than {min} answers): {names}",
                          "lt": "Nerodoma (mažiau nei {min} atsakymų): {names}",
                          "pl": "Nie pokazano (mniej niż {min} odpowiedzi): {names}",
                          "lv": "Netiek rādīts (mazāk nekā {min} atbildes): {names}"},
    "journey_none": {"en": "The answers of this period name no touchpoint, so there is no journey view.",
                     "lt": "Šio laikotarpio atsakymuose nenurodytas joks sąlyčio taškas, todėl kliento kelionės vaizdo nėra.",
                     "pl": "Odpowiedzi z tego okresu nie wskazują żadnego punktu styku, więc nie ma widoku ścieżki klienta.",
                     "lv": "Šī perioda atbildēs nav norādīts neviens saskarsmes punkts, tāpēc klienta ceļa skata nav."},
    "journey_untested": {"en": "No touchpoint has enough answers to be tested (at least {min} are needed), so there is no chart.",
                         "lt": "Nė vienam sąlyčio taškui nepakanka atsakymų testui (reikia bent {min}), todėl diagrama nerodoma.",
                         "pl": "Żaden punkt styku nie ma dość odpowiedzi do testu (potrzeba co najmniej {min}), dlatego wykres nie jest pokazany.",
                         "lv": "Nevienam saskarsmes punktam nav pietiekami daudz atbilžu pārbaudei (vajag vismaz {min}), tāpēc diagramma netiek rādīta."},
    "example_score": {"en": "Score (0-10)", "lt": "Įvertinimas (0-10)", "pl": "Ocena (0-10)", "lv": "Vērtējums (0-10)"},
    "example_date": {"en": "Date", "lt": "Data", "pl": "Data", "lv": "Datums"},
    "themes_over_100": {"en": "A comment can mention several themes, so the shares add up to more than 100%.",
                        "lt": "Viename komentare gali būti minimos kelios temos, todėl dalių suma viršija 100 %.",
                        "pl": "Jeden komentarz może dotyczyć kilku tematów, dlatego udziały sumują się do ponad 100%.",
                        "lv": "Vienā komentārā var būt minētas vairākas tēmas, tāpēc daļu summa pārsniedz 100%."},
    "outcomes": {"en": "Satisfaction, churn and revenue", "lt": "Pasitenkinimas, klientų praradimas ir pajamos",
                 "pl": "Satysfakcja, odejścia klientów i przychody", "lv": "Apmierinātība, klientu aiziešana un ieņēmumi"},
    "drivers": {"en": "What drives the score", "lt": "Kas lemia vertinimą", "pl": "Co wpływa na ocenę",
                "lv": "Kas nosaka vērtējumu"},
    # key-driver chart and its notes (drivers_section); drivers_c_* are the chart's texts (plots.DRIVER_TEXTS)
    "drivers_c_title_bars": {"en": "Key drivers of NPS (R² = {r2})", "lt": "Pagrindiniai NPS veiksniai (R² = {r2})",
                             "pl": "Kluczowe czynniki NPS (R² = {r2})", "lv": "Galvenie NPS faktori (R² = {r2})"},
    "drivers_c_title_quadrant": {"en": "Key drivers of NPS: importance and performance",
                                 "lt": "Pagrindiniai NPS veiksniai: svarba ir įvertinimas",
                                 "pl": "Kluczowe czynniki NPS: waga i ocena",
                                 "lv": "Galvenie NPS faktori: nozīmīgums un vērtējums"},
    "drivers_c_share": {"en": "Share of the explained variation of NPS (%)", "lt": "Dalis paaiškintoje NPS sklaidoje (%)",
                        "pl": "Udział w wyjaśnionej zmienności NPS (%)", "lv": "Daļa no izskaidrotās NPS izkliedes (%)"},
    "drivers_c_share_ci": {"en": "Share of the explained variation of NPS (%), {confidence} intervals",
                           "lt": "Dalis paaiškintoje NPS sklaidoje (%), {confidence} intervalai",
                           "pl": "Udział w wyjaśnionej zmienności NPS (%), przedziały ufności {confidence}",
                           "lv": "Daļa no izskaidrotās NPS izkliedes (%), {confidence} ticamības intervāli"},
    "drivers_c_importance": {"en": "Importance: share of the explained variation (%)",
                             "lt": "Svarba: dalis paaiškintoje sklaidoje (%)",
                             "pl": "Waga: udział w wyjaśnionej zmienności (%)",
                             "lv": "Nozīmīgums: daļa no izskaidrotās izkliedes (%)"},
    "drivers_c_performance": {"en": "Performance: average rating", "lt": "Rezultatas: vidutinis įvertinimas",
                              "pl": "Wynik: średnia ocena", "lv": "Sniegums: vidējais vērtējums"},
    "drivers_c_fix_first": {"en": "Fix first", "lt": "Gerinti pirmiausia", "pl": "Poprawić w pierwszej kolejności",
                            "lv": "Uzlabot vispirms"},
    "drivers_c_keep_up": {"en": "Keep up", "lt": "Išlaikyti gerą lygį", "pl": "Utrzymać wysoki poziom",
                          "lv": "Saglabāt augsto līmeni"},
    "drivers_c_lower_priority": {"en": "Lower priority", "lt": "Mažesnis prioritetas", "pl": "Niższy priorytet",
                                 "lv": "Zemāka prioritāte"},
    "drivers_c_maintain": {"en": "Maintain", "lt": "Palaikyti", "pl": "Podtrzymywać", "lv": "Uzturēt"},
    "drivers_c_strongest": {"en": "{name} (strongest)", "lt": "{name} (stipriausias)", "pl": "{name} (najsilniejszy)",
                            "lv": "{name} (spēcīgākais)"},
    "drivers_why_quadrant": {"en": "The drivers' average ratings differ by up to {spread} points ({high}: {high_mean}; {low}: {low_mean}; interval {lo} to {hi}), enough to compare their performance: drivers above the horizontal line matter more than average, those left of the vertical line are rated below average, so the top left corner shows what to fix first.",
                             "lt": "Veiksnių vidutiniai įvertinimai skiriasi iki {spread} balo („{high}“ – {high_mean}, „{low}“ – {low_mean}; intervalas nuo {lo} iki {hi}), todėl jų rezultatus verta palyginti: virš horizontalios linijos esantys veiksniai svarbesni už vidutinį, kairiau vertikalios linijos esantys įvertinti prasčiau už vidurkį, tad viršutiniame kairiajame kampe matyti, ką gerinti pirmiausia.",
                             "pl": "Średnie oceny czynników różnią się nawet o {spread} pkt („{high}”: {high_mean}, „{low}”: {low_mean}; przedział od {lo} do {hi}), więc ich wyniki można porównać: czynniki nad linią poziomą są ważniejsze niż przeciętnie, a te na lewo od linii pionowej są oceniane poniżej średniej, zatem lewy górny róg pokazuje, co poprawić w pierwszej kolejności.",
                             "lv": "Faktoru vidējie vērtējumi atšķiras līdz pat {spread} punktiem (“{high}”: {high_mean}, “{low}”: {low_mean}; intervāls no {lo} līdz {hi}), tāpēc to sniegumu var salīdzināt: faktori virs horizontālās līnijas ir nozīmīgāki par vidējo, bet pa kreisi no vertikālās līnijas esošie ir novērtēti zem vidējā, tātad augšējais kreisais stūris rāda, ko uzlabot vispirms."},
    "drivers_why_small": {"en": "The drivers' average ratings differ by at most {spread} points ({high}: {high_mean}; {low}: {low_mean}), but comparing their performance needs a difference of more than {threshold} points, so the chart shows importance only.",
                          "lt": "Veiksnių vidutiniai įvertinimai skiriasi ne daugiau kaip {spread} balo („{high}“ – {high_mean}, „{low}“ – {low_mean}), o rezultatams palyginti reikia didesnio nei {threshold} balo skirtumo, todėl diagramoje rodoma tik svarba.",
                          "pl": "Średnie oceny czynników różnią się najwyżej o {spread} pkt („{high}”: {high_mean}, „{low}”: {low_mean}), a do porównania ich wyników potrzebna jest różnica większa niż {threshold} pkt, dlatego wykres pokazuje tylko wagę czynników.",
                          "lv": "Faktoru vidējie vērtējumi atšķiras ne vairāk kā par {spread} punktiem (“{high}”: {high_mean}, “{low}”: {low_mean}), bet snieguma salīdzināšanai vajadzīga atšķirība, kas lielāka par {threshold} punktiem, tāpēc diagrammā parādīts tikai nozīmīgums."},
    "drivers_why_unsure": {"en": "The drivers' average ratings differ by up to {spread} points ({high}: {high_mean}; {low}: {low_mean}), but the difference is not statistically significant (interval {lo} to {hi}), so the chart shows importance only.",
                           "lt": "Veiksnių vidutiniai įvertinimai skiriasi iki {spread} balo („{high}“ – {high_mean}, „{low}“ – {low_mean}), tačiau skirtumas statistiškai nereikšmingas (intervalas nuo {lo} iki {hi}), todėl diagramoje rodoma tik svarba.",
                           "pl": "Średnie oceny czynników różnią się nawet o {spread} pkt („{high}”: {high_mean}, „{low}”: {low_mean}), ale różnica nie jest istotna statystycznie (przedział od {lo} do {hi}), dlatego wykres pokazuje tylko wagę czynników.",
                           "lv": "Faktoru vidējie vērtējumi atšķiras līdz pat {spread} punktiem (“{high}”: {high_mean}, “{low}”: {low_mean}), taču atšķirība nav statistiski nozīmīga (intervāls no {lo} līdz {hi}), tāpēc diagrammā parādīts tikai nozīmīgums."},
    "drivers_strongest": {"en": "The strongest driver is {driver}: {share} of the explained variation ({ci}), clearly ahead of every other driver.",
                          "lt": "Stipriausias veiksnys – „{driver}“: {share} paaiškintos sklaidos ({ci}); jis reikšmingai svarbesnis už visus kitus veiksnius.",
                          "pl": "Najsilniejszy czynnik to „{driver}”: {share} wyjaśnionej zmienności ({ci}), istotnie więcej niż każdy inny czynnik.",
                          "lv": "Spēcīgākais faktors ir “{driver}”: {share} no izskaidrotās izkliedes ({ci}), būtiski vairāk nekā jebkuram citam faktoram."},
    "drivers_no_strongest": {"en": "No driver is clearly ahead of all the others.",
                             "lt": "Nė vienas veiksnys reikšmingai neišsiskiria iš visų kitų.",
                             "pl": "Żaden czynnik nie wyprzedza wyraźnie wszystkich pozostałych.",
                             "lv": "Neviens faktors būtiski neizceļas pār visiem pārējiem."},
    "drivers_ci": {"en": "{conf} CI {lo} to {hi}", "lt": "{conf} PI nuo {lo} iki {hi}", "pl": "{conf} PU od {lo} do {hi}",
                   "lv": "{conf} TI no {lo} līdz {hi}"},
    "themes": {"en": "What customers write about", "lt": "Apie ką rašo klientai", "pl": "O czym piszą klienci",
               "lv": "Par ko raksta klienti"},
    "data_notes": {"en": "Data notes and methods", "lt": "Duomenų pastabos ir metodai", "pl": "Uwagi o danych i metody",
                   "lv": "Datu piezīmes un metodes"},
    # ACCESS: the table of contents and the charts' alternative texts (composed in cxkit/report/alt.py)
    "contents": {"en": "Contents", "lt": "Turinys", "pl": "Spis treści", "lv": "Saturs"},
    "alt_and": {"en": "and", "lt": "ir", "pl": "i", "lv": "un"},
    "alt_none": {"en": "none", "lt": "nėra", "pl": "brak", "lv": "nav"},
    "alt_trend": {"en": "{metric} per month, {groups}, {start} – {end}; {group} in the reporting period: {value}.",
                  "lt": "{metric} pagal mėnesius, {groups}, {start} – {end}; {group} ataskaitiniu laikotarpiu: {value}.",
                  "pl": "{metric} w poszczególnych miesiącach, {groups}, {start} – {end}; {group} w okresie sprawozdawczym: {value}.",
                  "lv": "{metric} pa mēnešiem, {groups}, {start} – {end}; {group} pārskata periodā: {value}."},
    "alt_trend_latest": {"en": "{metric} per month, {groups}, {start} – {end}; {group} in the last month shown: {value}.",
                         "lt": "{metric} pagal mėnesius, {groups}, {start} – {end}; {group} paskutinį rodomą mėnesį: {value}.",
                         "pl": "{metric} w poszczególnych miesiącach, {groups}, {start} – {end}; {group} w ostatnim pokazanym miesiącu: {value}.",
                         "lv": "{metric} pa mēnešiem, {groups}, {start} – {end}; {group} pēdējā parādītajā mēnesī: {value}."},
    "alt_distribution": {"en": "Shares of detractors, passives and promoters. {rows}.",
                         "lt": "Kritikų, neutralių ir rekomenduotojų dalys. {rows}.",
                         "pl": "Udział krytyków, neutralnych i promotorów. {rows}.",
                         "lv": "Kritiķu, neitrālo un ieteicēju daļas. {rows}."},
    "alt_distribution_row": {"en": "{group}: NPS {nps}, promoters {promoters}, detractors {detractors}, n = {n}",
                             "lt": "{group}: NPS {nps}, rekomenduotojai {promoters}, kritikai {detractors}, n = {n}",
                             "pl": "{group}: NPS {nps}, promotorzy {promoters}, krytycy {detractors}, n = {n}",
                             "lv": "{group}: NPS {nps}, ieteicēji {promoters}, kritiķi {detractors}, n = {n}"},
    "alt_distribution_all": {"en": "Shares of detractors, passives and promoters of each group, ranked by NPS. Highest NPS: {best} ({best_nps}); lowest: {worst} ({worst_nps}); the whole company: {nps}.",
                             "lt": "Kiekvienos grupės kritikų, neutralių ir rekomenduotojų dalys, surikiuotos pagal NPS. Didžiausias NPS: {best} ({best_nps}); mažiausias: {worst} ({worst_nps}); visos įmonės: {nps}.",
                             "pl": "Udział krytyków, neutralnych i promotorów w każdej grupie, uszeregowany według NPS. Najwyższy NPS: {best} ({best_nps}); najniższy: {worst} ({worst_nps}); cała firma: {nps}.",
                             "lv": "Kritiķu, neitrālo un ieteicēju daļas katrā grupā, sakārtotas pēc NPS. Augstākais NPS: {best} ({best_nps}); zemākais: {worst} ({worst_nps}); viss uzņēmums: {nps}."},
    "alt_journey": {"en": "NPS at each touchpoint against the NPS of all touchpoints ({overall}). Highest: {high} ({high_nps}); lowest: {low} ({low_nps}).",
                    "lt": "Kiekvieno sąlyčio taško NPS, palyginti su visų sąlyčio taškų NPS ({overall}). Didžiausias: {high} ({high_nps}); mažiausias: {low} ({low_nps}).",
                    "pl": "NPS w każdym punkcie styku wobec NPS wszystkich punktów styku ({overall}). Najwyższy: {high} ({high_nps}); najniższy: {low} ({low_nps}).",
                    "lv": "Katra saskarsmes punkta NPS salīdzinājumā ar visu saskarsmes punktu NPS ({overall}). Augstākais: {high} ({high_nps}); zemākais: {low} ({low_nps})."},
    "alt_churn": {"en": "Share of customers who left, by NPS group: {rows}.",
                  "lt": "Išėjusių klientų dalis pagal NPS grupes: {rows}.",
                  "pl": "Odsetek klientów, którzy odeszli, według grup NPS: {rows}.",
                  "lv": "Aizgājušo klientu daļa pa NPS grupām: {rows}."},
    "alt_survival": {"en": "Share of customers still active over time, by NPS group. After {months} months: {rows}.",
                     "lt": "Vis dar aktyvių klientų dalis laikui bėgant pagal NPS grupes. Po {months} mėn.: {rows}.",
                     "pl": "Odsetek wciąż aktywnych klientów w czasie według grup NPS. Po {months} mies.: {rows}.",
                     "lv": "Joprojām aktīvo klientu daļa laika gaitā pa NPS grupām. Pēc {months} mēn.: {rows}."},
    "alt_drivers": {"en": "Key drivers of NPS. The largest share of the explained variation: {driver}, {share}; R² = {r2}.",
                    "lt": "Pagrindiniai NPS veiksniai. Didžiausia paaiškintos sklaidos dalis: „{driver}“, {share}; R² = {r2}.",
                    "pl": "Kluczowe czynniki NPS. Największa część wyjaśnionej zmienności: „{driver}”, {share}; R² = {r2}.",
                    "lv": "Galvenie NPS faktori. Lielākā izskaidrotās izkliedes daļa: “{driver}”, {share}; R² = {r2}."},
    "alt_themes": {"en": "NPS difference between comments that mention a theme and the other comments. Largest difference: {theme} ({diff}).",
                   "lt": "NPS skirtumas tarp komentarų, kuriuose paminėta tema, ir kitų komentarų. Didžiausias skirtumas: „{theme}“ ({diff}).",
                   "pl": "Różnica NPS między komentarzami, w których pojawia się temat, a pozostałymi komentarzami. Największa różnica: „{theme}” ({diff}).",
                   "lv": "NPS atšķirība starp komentāriem, kuros minēta tēma, un pārējiem komentāriem. Lielākā atšķirība: “{theme}” ({diff})."},
    "alt_league": {"en": "{metric} of each group with its interval, the company's value ({company}) as a line. Highest value: {best} ({best_value}); lowest: {worst} ({worst_value}).",
                   "lt": "Kiekvienos grupės {metric} su intervalu, įmonės reikšmė ({company}) pažymėta linija. Didžiausia reikšmė: {best} ({best_value}); mažiausia: {worst} ({worst_value}).",
                   "pl": "{metric} każdej grupy z przedziałem, wartość dla firmy ({company}) zaznaczona linią. Najwyższa wartość: {best} ({best_value}); najniższa: {worst} ({worst_value}).",
                   "lv": "Katras grupas {metric} ar intervālu, uzņēmuma vērtība ({company}) atzīmēta ar līniju. Augstākā vērtība: {best} ({best_value}); zemākā: {worst} ({worst_value})."},
    "alt_funnel": {"en": "NPS against the number of answers, with the 95% and 99.8% limits around the company's NPS ({company}). Outside the 99.8% limits: {outside}.",
                   "lt": "NPS pagal atsakymų skaičių su 95 % ir 99,8 % ribomis aplink įmonės NPS ({company}). Už 99,8 % ribų: {outside}.",
                   "pl": "NPS względem liczby odpowiedzi, z granicami 95 % i 99,8 % wokół NPS firmy ({company}). Poza granicami 99,8 %: {outside}.",
                   "lv": "NPS atkarībā no atbilžu skaita ar 95 % un 99,8 % robežām ap uzņēmuma NPS ({company}). Ārpus 99,8 % robežām: {outside}."},
    "alt_outcome_churn_rate": {"en": "Churn rate", "lt": "Klientų praradimas", "pl": "Odsetek odejść klientów",
                               "lv": "Klientu aiziešana"},
    "alt_outcome_revenue_growth": {"en": "Revenue growth", "lt": "Pajamų augimas", "pl": "Wzrost przychodów",
                                   "lv": "Ieņēmumu pieaugums"},
    "alt_unit_outcomes": {"en": "{outcome} against NPS, one point per group, with the fitted line and its band. Slope: {slope} per NPS point ({ci}); groups: {n}.",
                          "lt": "{outcome} pagal NPS, po vieną tašką kiekvienai grupei, su pritaikyta tiese ir jos juosta. Nuolydis: {slope} vienam NPS balui ({ci}); grupių skaičius: {n}.",
                          "pl": "{outcome} względem NPS, jeden punkt na grupę, z dopasowaną linią i jej pasmem. Nachylenie: {slope} na punkt NPS ({ci}); liczba grup: {n}.",
                          "lv": "{outcome} atkarībā no NPS, viens punkts katrai grupai, ar pielāgoto taisni un tās joslu. Slīpums: {slope} uz vienu NPS punktu ({ci}); grupu skaits: {n}."},
    "alt_unit_outcomes_points": {"en": "{outcome} against NPS, one point per group; groups: {n}.",
                                 "lt": "{outcome} pagal NPS, po vieną tašką kiekvienai grupei; grupių skaičius: {n}.",
                                 "pl": "{outcome} względem NPS, jeden punkt na grupę; liczba grup: {n}.",
                                 "lv": "{outcome} atkarībā no NPS, viens punkts katrai grupai; grupu skaits: {n}."},
    "league": {"en": "All units side by side", "lt": "Visi padaliniai greta", "pl": "Wszystkie jednostki obok siebie",
               "lv": "Visas vienības blakus"},
    "movers": {"en": "Biggest movers", "lt": "Didžiausi pokyčiai", "pl": "Największe zmiany", "lv": "Lielākās izmaiņas"},
    "units_vs_outcomes": {"en": "Unit NPS vs churn and revenue", "lt": "Padalinių NPS, klientų praradimas ir pajamos",
                          "pl": "NPS jednostek a odejścia i przychody", "lv": "Vienību NPS, aiziešana un ieņēmumi"},
    "regions": {"en": "Regions", "lt": "Regionai", "pl": "Regiony", "lv": "Reģioni"},
    # labels
    "unit": {"en": "Unit", "lt": "Padalinys", "pl": "Jednostka", "lv": "Vienība"},
    "region": {"en": "Region", "lt": "Regionas", "pl": "Region", "lv": "Reģions"},
    "period": {"en": "Period", "lt": "Laikotarpis", "pl": "Okres", "lv": "Periods"},
    "generated": {"en": "Generated", "lt": "Sugeneruota", "pl": "Wygenerowano", "lv": "Izveidots"},
    "metric": {"en": "Metric", "lt": "Rodiklis", "pl": "Wskaźnik", "lv": "Rādītājs"},
    "value": {"en": "Value", "lt": "Reikšmė", "pl": "Wartość", "lv": "Vērtība"},
    "ci": {"en": "95% CI", "lt": "95% PI", "pl": "95% PU", "lv": "95% TI"},
    "n": {"en": "n", "lt": "n", "pl": "n", "lv": "n"},
    "vs_rest": {"en": "vs rest of company", "lt": "palyginti su likusia įmone", "pl": "wobec reszty firmy",
                "lv": "pret pārējo uzņēmumu"},
    "vs_target": {"en": "vs target", "lt": "palyginti su tikslu", "pl": "wobec celu", "lv": "pret mērķi"},
    "vs_previous": {"en": "vs previous period", "lt": "palyginti su ankstesniu laikotarpiu", "pl": "wobec poprzedniego okresu",
                    "lv": "pret iepriekšējo periodu"},
    "vs_year_ago": {"en": "vs a year earlier", "lt": "palyginti su praėjusiais metais", "pl": "wobec roku wcześniej",
                    "lv": "pret gadu iepriekš"},
    "status": {"en": "Status", "lt": "Būsena", "pl": "Status", "lv": "Statuss"},
    "done": {"en": "done", "lt": "parengta", "pl": "gotowe", "lv": "gatavs"},
    "failed": {"en": "failed", "lt": "nepavyko", "pl": "błąd", "lv": "neizdevās"},
    "report": {"en": "Report", "lt": "Ataskaita", "pl": "Raport", "lv": "Pārskats"},
    "higher": {"en": "higher", "lt": "aukštesnis", "pl": "wyższy", "lv": "augstāks"},
    "lower": {"en": "lower", "lt": "žemesnis", "pl": "niższy", "lv": "zemāks"},
    "no_difference": {"en": "no significant difference", "lt": "reikšmingo skirtumo nėra", "pl": "brak istotnej różnicy",
                      "lv": "nav būtiskas atšķirības"},
    "not_tested": {"en": "too few answers to test", "lt": "per mažai atsakymų", "pl": "za mało odpowiedzi",
                   "lv": "pārāk maz atbilžu"},
    "not_shown": {"en": "not shown (too few answers)", "lt": "nerodoma (per mažai atsakymų)",
                  "pl": "nie pokazano (za mało odpowiedzi)", "lv": "netiek rādīts (pārāk maz atbilžu)"},
    "better": {"en": "better", "lt": "geriau", "pl": "lepiej", "lv": "labāk"},
    "worse": {"en": "worse", "lt": "blogiau", "pl": "gorzej", "lv": "sliktāk"},
    "significant_note": {"en": "▲/▼ significant after correction for multiple comparisons",
                         "lt": "▲/▼ reikšminga po daugkartinių palyginimų pataisos",
                         "pl": "▲/▼ istotne po korekcie na wielokrotne porównania",
                         "lv": "▲/▼ būtiski pēc vairākkārtējo salīdzinājumu korekcijas"},
    "nps": {"en": "NPS", "lt": "NPS", "pl": "NPS", "lv": "NPS"},
    "csat": {"en": "CSAT (% satisfied)", "lt": "CSAT (% patenkintų)", "pl": "CSAT (% zadowolonych)", "lv": "CSAT (% apmierināto)"},
    "ces": {"en": "CES (% easy)", "lt": "CES (% lengva)", "pl": "CES (% łatwo)", "lv": "CES (% viegli)"},
    "first_response_time": {"en": "First response (median hours)", "lt": "Pirmas atsakymas (medianos val.)",
                            "pl": "Pierwsza odpowiedź (mediana godz.)", "lv": "Pirmā atbilde (mediāna, st.)"},
    "churn_rate": {"en": "Churn rate (%, 12 months)", "lt": "Klientų praradimas (%, 12 mėn.)",
                   "pl": "Odejścia klientów (%, 12 mies.)", "lv": "Klientu aiziešana (%, 12 mēn.)"},
    "failed_units": {"en": "Units that failed", "lt": "Nepavykę padaliniai", "pl": "Jednostki z błędem",
                     "lv": "Vienības ar kļūdu"},
    "leadership_summary": {"en": "Leadership summary", "lt": "Vadovybės santrauka", "pl": "Podsumowanie dla zarządu",
                           "lv": "Kopsavilkums vadībai"},
    "rows_in": {"en": "rows in", "lt": "eilučių", "pl": "wierszy", "lv": "rindas"},
    "rows_rejected": {"en": "rows rejected", "lt": "atmesta eilučių", "pl": "odrzucone wiersze", "lv": "noraidītās rindas"},
    "exported_from": {"en": "exported from", "lt": "eksportuota iš", "pl": "eksport z", "lv": "eksportēts no"},
    # column labels and notes used by the report sections
    "group_nps": {"en": "NPS group", "lt": "NPS grupė", "pl": "Grupa NPS", "lv": "NPS grupa"},
    "rank_sentence": {"en": "Rank by NPS among {k} units (partial pooling): {rank}, plausibly {low} to {high} (95%).",
                      "lt": "Vieta pagal NPS tarp {k} padalinių (dalinis sutelkimas): {rank}, tikėtina nuo {low} iki {high} (95 %).",
                      "pl": "Miejsce według NPS wśród {k} jednostek (częściowe łączenie): {rank}., prawdopodobnie od {low}. do {high}. (95%).",
                      "lv": "Vieta pēc NPS starp {k} vienībām (daļēja apvienošana): {rank}., ticami no {low}. līdz {high}. (95%)."},
    "rank_sentence_sure": {"en": "Rank by NPS among {k} units (partial pooling): {rank}; no other place is plausible (95%).",
                           "lt": "Vieta pagal NPS tarp {k} padalinių (dalinis sutelkimas): {rank}; kita vieta netikėtina (95 %).",
                           "pl": "Miejsce według NPS wśród {k} jednostek (częściowe łączenie): {rank}.; inne miejsce jest mało prawdopodobne (95%).",
                           "lv": "Vieta pēc NPS starp {k} vienībām (daļēja apvienošana): {rank}.; cita vieta nav ticama (95%)."},
    "fair_ranking": {"en": "Fair ranking: NPS against the number of answers", "lt": "Sąžiningas reitingas: NPS pagal atsakymų skaičių",
                     "pl": "Uczciwy ranking: NPS wobec liczby odpowiedzi", "lv": "Godīgs reitings: NPS pret atbilžu skaitu"},
    "ranking_note": {"en": "Units ranked by NPS pulled towards the company average in proportion to their uncertainty (empirical Bayes), so a small unit is not first or last by chance; the range is where its rank plausibly lies (95%). The funnel's limits (95% and 99.8%) show how far a unit's NPS may stray from the company's by chance at its number of answers.",
                     "lt": "Padaliniai surikiuoti pagal NPS, priartintą prie įmonės vidurkio pagal jo neapibrėžtumą (empirinis Bajeso metodas), kad mažas padalinys nebūtų pirmas ar paskutinis atsitiktinai; intervalas rodo tikėtiną vietą (95 %). Piltuvo ribos (95 % ir 99,8 %) rodo, kiek padalinio NPS gali atsitiktinai nukrypti nuo įmonės esant jo atsakymų skaičiui.",
                     "pl": "Jednostki uszeregowane według NPS przybliżonego do średniej firmy proporcjonalnie do niepewności (empiryczny Bayes), by mała jednostka nie była pierwsza ani ostatnia przypadkiem; zakres pokazuje prawdopodobne miejsce (95%). Granice lejka (95% i 99,8%) pokazują, jak daleko NPS jednostki może przypadkiem odbiegać od NPS firmy przy jej liczbie odpowiedzi.",
                     "lv": "Vienības sakārtotas pēc NPS, kas pietuvināts uzņēmuma vidējam atbilstoši tā nenoteiktībai (empīriskais Beijess), lai maza vienība nebūtu pirmā vai pēdējā nejauši; diapazons rāda ticamo vietu (95%). Piltuves robežas (95% un 99,8%) rāda, cik tālu vienības NPS var nejauši atšķirties no uzņēmuma NPS pie tās atbilžu skaita."},
    "rank": {"en": "Rank (plausible range)", "lt": "Vieta (tikėtinas intervalas)", "pl": "Miejsce (prawdopodobny zakres)",
             "lv": "Vieta (ticamais diapazons)"},
    "nps_pooled": {"en": "NPS, pooled", "lt": "NPS, sutelktas", "pl": "NPS, łączony", "lv": "NPS, apvienots"},
    "funnel": {"en": "Funnel", "lt": "Piltuvas", "pl": "Lejek", "lv": "Piltuve"},
    "funnel_inside": {"en": "within the limits", "lt": "ribose", "pl": "w granicach", "lv": "robežās"},
    "funnel_above 95%": {"en": "above the 95% limit", "lt": "virš 95 % ribos", "pl": "powyżej granicy 95%", "lv": "virs 95% robežas"},
    "funnel_above 99.8%": {"en": "above the 99.8% limit", "lt": "virš 99,8 % ribos", "pl": "powyżej granicy 99,8%", "lv": "virs 99,8% robežas"},
    "funnel_below 95%": {"en": "below the 95% limit", "lt": "žemiau 95 % ribos", "pl": "poniżej granicy 95%", "lv": "zem 95% robežas"},
    "funnel_below 99.8%": {"en": "below the 99.8% limit", "lt": "žemiau 99,8 % ribos", "pl": "poniżej granicy 99,8%", "lv": "zem 99,8% robežas"},
    "sig_no": {"en": "no: the interval includes 0", "lt": "ne: intervalas apima 0", "pl": "nie: przedział obejmuje 0",
               "lv": "nē: intervāls ietver 0"},
    "sig_no_corrected": {"en": "no: not after correction for multiple comparisons", "lt": "ne: po daugkartinių palyginimų pataisos",
                         "pl": "nie: po korekcie na wielokrotne porównania", "lv": "nē: pēc vairākkārtējo salīdzinājumu korekcijas"},
    "sig_small": {"en": "not tested: n = {n} < {min}", "lt": "netikrinta: n = {n} < {min}", "pl": "nie testowano: n = {n} < {min}",
                  "lv": "nav pārbaudīts: n = {n} < {min}"},
    "real_change_better": {"en": "real change: better", "lt": "tikras pokytis: geriau", "pl": "rzeczywista zmiana: lepiej",
                           "lv": "reālas izmaiņas: labāk"},
    "real_change_worse": {"en": "real change: worse", "lt": "tikras pokytis: blogiau", "pl": "rzeczywista zmiana: gorzej",
                          "lv": "reālas izmaiņas: sliktāk"},
    "reporting_period": {"en": "reporting period", "lt": "ataskaitinis laikotarpis", "pl": "okres raportu",
                         "lv": "pārskata periods"},
    "nps_distribution": {"en": "Detractors, passives and promoters", "lt": "Kritikai, neutralūs ir rekomenduotojai",
                         "pl": "Krytycy, neutralni i promotorzy", "lv": "Kritiķi, neitrālie un ieteicēji"},
    "share_of_answers": {"en": "% of answers", "lt": "% atsakymų", "pl": "% odpowiedzi", "lv": "% atbilžu"},
    "detractor": {"en": "detractors", "lt": "kritikai", "pl": "krytycy", "lv": "kritiķi"},
    "passive": {"en": "passives", "lt": "neutralūs", "pl": "neutralni", "lv": "neitrālie"},
    "promoter": {"en": "promoters", "lt": "rekomenduotojai", "pl": "promotorzy", "lv": "ieteicēji"},
    "customers": {"en": "Customers", "lt": "Klientai", "pl": "Klienci", "lv": "Klienti"},
    "churned": {"en": "Left", "lt": "Išėjo", "pl": "Odeszło", "lv": "Aizgāja"},
    "churn_pct": {"en": "Churned (%)", "lt": "Išėjo (%)", "pl": "Odeszło (%)", "lv": "Aizgāja (%)"},
    "risk_ratio": {"en": "Risk vs promoters", "lt": "Rizika, palyginti su rekomenduotojais",
                   "pl": "Ryzyko wobec promotorów", "lv": "Risks pret ieteicējiem"},
    "monthly_revenue": {"en": "Revenue per customer per month", "lt": "Pajamos iš kliento per mėnesį",
                        "pl": "Przychód na klienta miesięcznie", "lv": "Ieņēmumi no klienta mēnesī"},
    "revenue_at_risk": {"en": "Revenue at risk per year", "lt": "Rizikuojamos metinės pajamos",
                        "pl": "Roczny przychód zagrożony", "lv": "Apdraudētie gada ieņēmumi"},
    "heuristic": {"en": "secondary: rule of thumb (industry heuristic, not from your data, no interval)",
                  "lt": "antraeilis: nykščio taisyklė (rinkos euristika, ne iš jūsų duomenų, be intervalo)",
                  "pl": "pomocniczo: reguła kciuka (heurystyka branżowa, nie z Twoich danych, bez przedziału)",
                  "lv": "papildus: īkšķa likums (nozares heiristika, ne no jūsu datiem, bez intervāla)"},
    "model": {"en": "estimated from your data", "lt": "įvertinta iš jūsų duomenų", "pl": "oszacowane z Twoich danych",
              "lv": "novērtēts no jūsu datiem"},
    "method": {"en": "Method", "lt": "Metodas", "pl": "Metoda", "lv": "Metode"},
    "driver": {"en": "Driver", "lt": "Veiksnys", "pl": "Czynnik", "lv": "Faktors"},
    "importance": {"en": "Importance (% of explained)", "lt": "Svarba (% paaiškintos)", "pl": "Waga (% wyjaśnionej)",
                   "lv": "Nozīmīgums (% no izskaidrotā)"},
    "performance": {"en": "Average rating (0-10)", "lt": "Vidutinis įvertinimas (0-10)", "pl": "Średnia ocena (0-10)",
                    "lv": "Vidējais vērtējums (0-10)"},
    "correlation": {"en": "Correlation", "lt": "Koreliacija", "pl": "Korelacja", "lv": "Korelācija"},
    "theme": {"en": "Theme", "lt": "Tema", "pl": "Temat", "lv": "Tēma"},
    "mentions": {"en": "Comments", "lt": "Komentarai", "pl": "Komentarze", "lv": "Komentāri"},
    "share_comments": {"en": "% of comments", "lt": "% komentarų", "pl": "% komentarzy", "lv": "% komentāru"},
    "nps_with": {"en": "NPS when mentioned", "lt": "NPS, kai paminėta", "pl": "NPS, gdy wspomniano", "lv": "NPS, ja minēts"},
    "nps_diff": {"en": "Difference vs other comments", "lt": "Skirtumas nuo kitų komentarų",
                 "pl": "Różnica wobec innych komentarzy", "lv": "Atšķirība no citiem komentāriem"},
    "significant": {"en": "Significant", "lt": "Reikšminga", "pl": "Istotne", "lv": "Būtiski"},
    "examples": {"en": "Example comments (personal data removed)", "lt": "Komentarų pavyzdžiai (asmens duomenys pašalinti)",
                 "pl": "Przykładowe komentarze (dane osobowe usunięte)", "lv": "Komentāru piemēri (personas dati noņemti)"},
    "too_little": {"en": "Not enough data for this part of the report", "lt": "Šiai ataskaitos daliai per mažai duomenų",
                   "pl": "Za mało danych dla tej części raportu", "lv": "Šai pārskata daļai nepietiek datu"},
    "matched_note": {"en": "{matched} of {customers} customers are linked to a survey answer (their latest); churn is followed from that answer.",
                     "lt": "{matched} iš {customers} klientų susieti su apklausos atsakymu (naujausiu); išėjimas stebimas nuo to atsakymo.",
                     "pl": "{matched} z {customers} klientów powiązano z odpowiedzią w ankiecie (najnowszą); odejścia liczone od tej odpowiedzi.",
                     "lv": "{matched} no {customers} klientiem sasaistīti ar aptaujas atbildi (jaunāko); aiziešana vērota no šīs atbildes."},
    "association_note": {"en": "Association, not proof of cause: customers in these groups may differ in other ways too.",
                         "lt": "Tai sąsaja, o ne priežasties įrodymas: šių grupių klientai gali skirtis ir kitais aspektais.",
                         "pl": "To związek, a nie dowód przyczyny: klienci w tych grupach mogą różnić się też pod innymi względami.",
                         "lv": "Tā ir sakarība, nevis cēloņa pierādījums: šo grupu klienti var atšķirties arī citādi."},
    "drivers_note": {"en": "Johnson's relative weights: each driver's share of the explained variation of the score (R² = {r2}); intervals from {n_boot} bootstrap samples.",
                     "lt": "Johnsono santykiniai svoriai: kiekvieno veiksnio dalis paaiškintoje vertinimo sklaidoje (R² = {r2}); intervalai iš {n_boot} savirankos imčių.",
                     "pl": "Względne wagi Johnsona: udział każdego czynnika w wyjaśnionej zmienności oceny (R² = {r2}); przedziały z {n_boot} prób bootstrap.",
                     "lv": "Džonsona relatīvie svari: katra faktora daļa izskaidrotajā vērtējuma izkliedē (R² = {r2}); intervāli no {n_boot} bootstrap izlasēm."},
    "themes_note": {"en": "Themes found by keyword stems in Lithuanian, Latvian, Polish and English; NPS differences tested and corrected across themes (Benjamini-Hochberg).",
                    "lt": "Temos nustatytos pagal raktažodžių šaknis lietuvių, latvių, lenkų ir anglų kalbomis; NPS skirtumai patikrinti ir pataisyti visoms temoms (Benjamini-Hochberg).",
                    "pl": "Tematy wykryte po rdzeniach słów kluczowych w języku litewskim, łotewskim, polskim i angielskim; różnice NPS testowane z korektą dla wszystkich tematów (Benjamini-Hochberg).",
                    "lv": "Tēmas atrastas pēc atslēgvārdu saknēm lietuviešu, latviešu, poļu un angļu valodā; NPS atšķirības pārbaudītas ar korekciju visām tēmām (Benjamini-Hochberg)."},
    "yes": {"en": "yes", "lt": "taip", "pl": "tak", "lv": "jā"},
    "no": {"en": "no", "lt": "ne", "pl": "nie", "lv": "nē"},
    "touchpoint": {"en": "Touchpoint", "lt": "Sąlyčio taškas", "pl": "Punkt styku", "lv": "Saskarsmes punkts"},
    "company": {"en": "Company", "lt": "Įmonė", "pl": "Firma", "lv": "Uzņēmums"},
    "difference": {"en": "Difference", "lt": "Skirtumas", "pl": "Różnica", "lv": "Atšķirība"},
    "direction": {"en": "Result", "lt": "Rezultatas", "pl": "Wynik", "lv": "Rezultāts"},
    "target": {"en": "Target", "lt": "Tikslas", "pl": "Cel", "lv": "Mērķis"},
    "previous": {"en": "Previous period", "lt": "Ankstesnis laikotarpis", "pl": "Poprzedni okres", "lv": "Iepriekšējais periods"},
    "year_ago": {"en": "A year earlier", "lt": "Prieš metus", "pl": "Rok wcześniej", "lv": "Pirms gada"},
    "month": {"en": "Month", "lt": "Mėnuo", "pl": "Miesiąc", "lv": "Mēnesis"},
    "change": {"en": "Change", "lt": "Pokytis", "pl": "Zmiana", "lv": "Izmaiņa"},
    "reports": {"en": "reports", "lt": "ataskaitos", "pl": "raporty", "lv": "pārskati"},
    "index_legend": {"en": "▲/▼: significantly higher / lower than the rest of the company after correction for multiple comparisons (green: better, red: worse). Parameters, input checksums and versions:",
                     "lt": "▲/▼: reikšmingai aukštesnis / žemesnis nei likusioje įmonėje po daugkartinių palyginimų pataisos (žalia – geriau, raudona – blogiau). Parametrai, įvesties kontrolinės sumos ir versijos:",
                     "pl": "▲/▼: istotnie wyżej / niżej niż w reszcie firmy po korekcie na wielokrotne porównania (zielony – lepiej, czerwony – gorzej). Parametry, sumy kontrolne danych i wersje:",
                     "lv": "▲/▼: būtiski augstāks / zemāks nekā pārējā uzņēmumā pēc vairākkārtējo salīdzinājumu korekcijas (zaļš – labāk, sarkans – sliktāk). Parametri, ievades kontrolsummas un versijas:"},
    "methods_period": {"en": "Reporting period {start} – {end}; compared with the previous period ({prev}) and the same period a year earlier ({ago}).",
                       "lt": "Ataskaitinis laikotarpis {start} – {end}; lyginama su ankstesniu laikotarpiu ({prev}) ir tuo pačiu laikotarpiu prieš metus ({ago}).",
                       "pl": "Okres raportu {start} – {end}; porównanie z poprzednim okresem ({prev}) i tym samym okresem rok wcześniej ({ago}).",
                       "lv": "Pārskata periods {start} – {end}; salīdzināts ar iepriekšējo periodu ({prev}) un to pašu periodu pirms gada ({ago})."},
    "methods_churn_window": {"en": "Churn rate: customers who left within the 12 months {cur} among those active at its start; compared with the 12 months {prev} (previous period) and {ago} (a year earlier).",
                             "lt": "Klientų praradimas: per 12 mėnesių {cur} išėję klientai tarp buvusių aktyvių jų pradžioje; lyginama su 12 mėnesių {prev} (ankstesnis laikotarpis) ir {ago} (prieš metus).",
                             "pl": "Odejścia klientów: klienci, którzy odeszli w ciągu 12 miesięcy {cur}, spośród aktywnych na ich początku; porównanie z 12 miesiącami {prev} (poprzedni okres) i {ago} (rok wcześniej).",
                             "lv": "Klientu aiziešana: klienti, kas aizgāja 12 mēnešos {cur}, no aktīvajiem to sākumā; salīdzināts ar 12 mēnešiem {prev} (iepriekšējais periods) un {ago} (pirms gada)."},
    "methods_tests": {"en": "Intervals: NPS adjusted Wald, shares Wilson, response times median with order-statistic interval; {conf} confidence. Each unit is compared with the rest of the company (not the total that contains it); p-values are corrected across all units for each metric and comparison (Benjamini-Hochberg). NPS, CSAT and CES tests allow for customers who answer more than once.",
                      "lt": "Intervalai: NPS – pakoreguotas Waldo, dalys – Wilsono, atsakymo laikas – mediana su eilės statistikų intervalu; patikimumas {conf}. Kiekvienas padalinys lyginamas su likusia įmone (ne su visuma, kuriai jis priklauso); p reikšmės pataisytos visiems padaliniams kiekvienam rodikliui ir palyginimui (Benjamini-Hochberg). NPS, CSAT ir CES testai įvertina, kad klientas gali atsakyti kelis kartus.",
                      "pl": "Przedziały: NPS skorygowany Wald, udziały Wilson, czas odpowiedzi mediana z przedziałem statystyk pozycyjnych; ufność {conf}. Każdą jednostkę porównano z resztą firmy (nie z całością, do której należy); wartości p skorygowano dla wszystkich jednostek w każdym wskaźniku i porównaniu (Benjamini-Hochberg). Testy NPS, CSAT i CES uwzględniają klientów odpowiadających wielokrotnie.",
                      "lv": "Intervāli: NPS – koriģētais Valda, daļas – Vilsona, atbildes laiks – mediāna ar kārtas statistiku intervālu; ticamība {conf}. Katra vienība salīdzināta ar pārējo uzņēmumu (nevis ar kopumu, kurā tā ietilpst); p vērtības koriģētas visām vienībām katram rādītājam un salīdzinājumam (Benjamini-Hochberg). NPS, CSAT un CES testi ņem vērā klientus, kas atbild vairākkārt."},
    "methods_minn": {"en": "Figures based on fewer than {show} answers are not shown (also where they could be worked out by subtraction); below {test} answers no significance test is made.",
                     "lt": "Rodikliai, pagrįsti mažiau nei {show} atsakymų, nerodomi (ir ten, kur juos būtų galima apskaičiuoti atimant); esant mažiau nei {test} atsakymų reikšmingumas netikrinamas.",
                     "pl": "Wartości oparte na mniej niż {show} odpowiedziach nie są pokazywane (także tam, gdzie dałoby się je wyliczyć przez odejmowanie); poniżej {test} odpowiedzi nie wykonuje się testu istotności.",
                     "lv": "Rādītāji, kas balstīti uz mazāk nekā {show} atbildēm, netiek rādīti (arī tur, kur tos varētu aprēķināt atņemot); ja atbilžu ir mazāk par {test}, nozīmīgums netiek pārbaudīts."},
    # edge cases: what a period, a unit or a data set does not have
    "no_responses_period": {"en": "No responses in this period.", "lt": "Šiuo laikotarpiu atsakymų nėra.",
                            "pl": "Brak odpowiedzi w tym okresie.", "lv": "Šajā periodā nav atbilžu."},
    "no_responses_units": {"en": "No responses in this period: {units}.",
                           "lt": "Šiuo laikotarpiu atsakymų nėra: {units}.",
                           "pl": "Brak odpowiedzi w tym okresie: {units}.",
                           "lv": "Šajā periodā nav atbilžu: {units}."},
    "note": {"en": "Note", "lt": "Pastaba", "pl": "Uwaga", "lv": "Piezīme"},
    "empty_period": {"en": "There are no survey responses in this period ({start} – {end}); the responses run from {first} to {last}. Figures measured over other windows (churn over 12 months, key drivers, comment themes, unit outcomes) are not shown under this period.",
                     "lt": "Šiuo laikotarpiu ({start} – {end}) apklausos atsakymų nėra; atsakymai apima laikotarpį nuo {first} iki {last}. Rodikliai, skaičiuojami kitais laikotarpiais (klientų praradimas per 12 mėnesių, vertinimą lemiantys veiksniai, komentarų temos, padalinių rezultatai), šiam laikotarpiui nerodomi.",
                     "pl": "W tym okresie ({start} – {end}) nie ma odpowiedzi na ankietę; odpowiedzi obejmują okres od {first} do {last}. Wskaźniki liczone dla innych okresów (odejścia w ciągu 12 miesięcy, czynniki wpływające na ocenę, tematy komentarzy, wyniki jednostek) nie są pokazywane dla tego okresu.",
                     "lv": "Šajā periodā ({start} – {end}) nav aptaujas atbilžu; atbildes aptver laiku no {first} līdz {last}. Rādītāji, kas aprēķināti citos periodos (aiziešana 12 mēnešos, vērtējumu noteicošie faktori, komentāru tēmas, vienību rezultāti), šim periodam netiek rādīti."},
    "empty_period_part": {"en": "No survey responses in this period: this part is not shown.",
                          "lt": "Šiuo laikotarpiu apklausos atsakymų nėra: ši dalis nerodoma.",
                          "pl": "Brak odpowiedzi na ankietę w tym okresie: tej części nie pokazano.",
                          "lv": "Šajā periodā nav aptaujas atbilžu: šī daļa netiek rādīta."},
    "missing_score": {"en": "The responses have no '{column}' column (or no value in it): {name} cannot be reported.",
                      "lt": "Atsakymuose nėra stulpelio „{column}“ (arba jame nėra reikšmių): {name} ataskaitoje pateikti negalima.",
                      "pl": "W odpowiedziach brak kolumny „{column}” (lub nie ma w niej wartości): nie można podać {name}.",
                      "lv": "Atbildēs nav kolonnas “{column}” (vai tajā nav vērtību): {name} pārskatā nevar norādīt."},
    "methods_rejected": {"en": "{rejected} rows were set aside while loading because they broke the data contract (see data-notes/rejected.csv); {repaired} values were repaired and reported.",
                         "lt": "Įkeliant atidėta {rejected} eilučių, pažeidusių duomenų sutartį (žr. data-notes/rejected.csv); pataisyta ir nurodyta {repaired} reikšmių.",
                         "pl": "Podczas wczytywania odłożono {rejected} wierszy niezgodnych z umową danych (zob. data-notes/rejected.csv); poprawiono i zgłoszono {repaired} wartości.",
                         "lv": "Ielādējot atlikts {rejected} rindu, kas neatbilda datu līgumam (sk. data-notes/rejected.csv); labotas un norādītas {repaired} vērtības."},
    # the summary in words at the top of a report (cxkit.report.narrative). Counted words hold their plural
    # forms separated by "|": en one|other; lt and pl one|few|many|fraction (a decimal number: genitive
    # singular); lv one|other|zero (after "par": accusative singular, dative plural). "narr_g_*" is the
    # grammatical gender of a metric's name (m / f), which the verbs and adjectives of a sentence agree with.
    "narrative": {"en": "Summary", "lt": "Santrauka", "pl": "Podsumowanie", "lv": "Kopsavilkums"},
    "narr_ci": {"en": "{conf} CI {lo} to {hi}", "lt": "{conf} PI nuo {lo} iki {hi}", "pl": "{conf} PU od {lo} do {hi}",
                "lv": "{conf} TI no {lo} līdz {hi}"},
    "narr_m_nps": {"en": "NPS", "lt": "NPS", "pl": "NPS", "lv": "NPS"},
    "narr_m_csat": {"en": "the share of satisfied customers (CSAT)", "lt": "patenkintų klientų dalis (CSAT)",
                    "pl": "odsetek zadowolonych klientów (CSAT)", "lv": "apmierināto klientu daļa (CSAT)"},
    "narr_m_ces": {"en": "the share of customers who found it easy (CES)", "lt": "klientų, kuriems buvo lengva, dalis (CES)",
                   "pl": "odsetek klientów, którym było łatwo (CES)", "lv": "to klientu daļa, kuriem bija viegli (CES)"},
    "narr_m_first_response_time": {"en": "the median first response time", "lt": "pirmojo atsakymo laiko mediana",
                                   "pl": "mediana czasu pierwszej odpowiedzi", "lv": "pirmās atbildes laika mediāna"},
    "narr_m_churn_rate": {"en": "the churn rate (12 months)", "lt": "klientų praradimo rodiklis (12 mėn.)",
                          "pl": "odsetek odejść klientów (12 mies.)", "lv": "klientu aiziešanas rādītājs (12 mēn.)"},
    "narr_g_nps": {"en": "m", "lt": "m", "pl": "m", "lv": "m"},
    "narr_g_csat": {"en": "f", "lt": "f", "pl": "m", "lv": "f"},
    "narr_g_ces": {"en": "f", "lt": "f", "pl": "m", "lv": "f"},
    "narr_g_first_response_time": {"en": "f", "lt": "f", "pl": "f", "lv": "f"},
    "narr_g_churn_rate": {"en": "m", "lt": "m", "pl": "m", "lv": "m"},
    "narr_w_rose_m": {"en": "rose", "lt": "padidėjo", "pl": "wzrósł", "lv": "pieauga"},
    "narr_w_rose_f": {"en": "rose", "lt": "padidėjo", "pl": "wzrosła", "lv": "pieauga"},
    "narr_w_fell_m": {"en": "fell", "lt": "sumažėjo", "pl": "spadł", "lv": "samazinājās"},
    "narr_w_fell_f": {"en": "fell", "lt": "sumažėjo", "pl": "spadła", "lv": "samazinājās"},
    "narr_w_higher_m": {"en": "higher", "lt": "didesnis", "pl": "wyższy", "lv": "augstāks"},
    "narr_w_higher_f": {"en": "higher", "lt": "didesnė", "pl": "wyższa", "lv": "augstāka"},
    "narr_w_lower_m": {"en": "lower", "lt": "mažesnis", "pl": "niższy", "lv": "zemāks"},
    "narr_w_lower_f": {"en": "lower", "lt": "mažesnė", "pl": "niższa", "lv": "zemāka"},
    "narr_w_changed_m": {"en": "changed", "lt": "pasikeitė", "pl": "zmienił się", "lv": "mainījās"},
    "narr_w_changed_f": {"en": "changed", "lt": "pasikeitė", "pl": "zmieniła się", "lv": "mainījās"},
    "narr_u_points": {"en": "{x} point|{x} points", "lt": "{x} punktas|{x} punktai|{x} punktų|{x} punkto",
                      "pl": "{x} punkt|{x} punkty|{x} punktów|{x} punktu", "lv": "{x} punktu|{x} punktiem|{x} punktiem"},
    "narr_u_pp": {"en": "{x} percentage point|{x} percentage points",
                  "lt": "{x} procentinis punktas|{x} procentiniai punktai|{x} procentinių punktų|{x} procentinio punkto",
                  "pl": "{x} punkt procentowy|{x} punkty procentowe|{x} punktów procentowych|{x} punktu procentowego",
                  "lv": "{x} procentpunktu|{x} procentpunktiem|{x} procentpunktiem"},
    "narr_u_hours": {"en": "{x} hour|{x} hours", "lt": "{x} valanda|{x} valandos|{x} valandų|{x} valandos",
                     "pl": "{x} godzina|{x} godziny|{x} godzin|{x} godziny", "lv": "{x} stundu|{x} stundām|{x} stundām"},
    "narr_c_answers": {"en": "{n} answer|{n} answers", "lt": "{n} atsakymas|{n} atsakymai|{n} atsakymų",
                       "pl": "{n} odpowiedź|{n} odpowiedzi|{n} odpowiedzi", "lv": "{n} atbilde|{n} atbildes|{n} atbilžu"},
    "narr_c_comments": {"en": "{n} comment|{n} comments", "lt": "{n} komentaras|{n} komentarai|{n} komentarų",
                        "pl": "{n} komentarz|{n} komentarze|{n} komentarzy", "lv": "{n} komentārs|{n} komentāri|{n} komentāru"},
    "narr_c_unit": {"en": "{n} unit|{n} units", "lt": "{n} padalinys|{n} padaliniai|{n} padalinių",
                    "pl": "{n} jednostka|{n} jednostki|{n} jednostek", "lv": "{n} vienība|{n} vienības|{n} vienību"},
    "narr_c_region": {"en": "{n} region|{n} regions", "lt": "{n} regionas|{n} regionai|{n} regionų",
                      "pl": "{n} region|{n} regiony|{n} regionów", "lv": "{n} reģions|{n} reģioni|{n} reģionu"},
    "narr_a_previous": {"en": "against the previous period", "lt": "palyginti su ankstesniu laikotarpiu",
                        "pl": "w porównaniu z poprzednim okresem", "lv": "salīdzinājumā ar iepriekšējo periodu"},
    "narr_a_year_ago": {"en": "against the same period a year earlier", "lt": "palyginti su tuo pačiu laikotarpiu prieš metus",
                        "pl": "w porównaniu z tym samym okresem rok wcześniej",
                        "lv": "salīdzinājumā ar to pašu periodu pirms gada"},
    "narr_scope_unit": {"en": "in this period", "lt": "šiuo laikotarpiu", "pl": "w tym okresie", "lv": "šajā periodā"},
    "narr_scope_company": {"en": "for the whole company in this period", "lt": "visoje įmonėje šiuo laikotarpiu",
                           "pl": "w całej firmie w tym okresie", "lv": "visā uzņēmumā šajā periodā"},
    "narr_level": {"en": "{metric} {scope}: {value} ({ci}; {n}).", "lt": "{metric} {scope}: {value} ({ci}; {n}).",
                   "pl": "{metric} {scope}: {value} ({ci}; {n}).", "lv": "{metric} {scope}: {value} ({ci}; {n})."},
    "narr_not_shown": {"en": "{metric} {scope}: not shown, too few answers ({n}).",
                       "lt": "{metric} {scope}: nerodoma, per mažai atsakymų ({n}).",
                       "pl": "{metric} {scope}: nie pokazano, za mało odpowiedzi ({n}).",
                       "lv": "{metric} {scope}: netiek rādīts, pārāk maz atbilžu ({n})."},
    "narr_change": {"en": "{metric} {verb} {amount} {against} ({ci}).", "lt": "{against}, {metric} {verb} {amount} ({ci}).",
                    "pl": "{against} {metric} {verb} o {amount} ({ci}).", "lv": "{against} {metric} {verb} par {amount} ({ci})."},
    "narr_no_change": {"en": "No real change in {metric} {against} ({n}).",
                       "lt": "{against}, {metric} reikšmingai nepasikeitė ({n}).",
                       "pl": "{against} {metric} nie {changed} istotnie ({n}).",
                       "lv": "{against} {metric} būtiski nemainījās ({n})."},
    "narr_untested_previous": {"en": "{metric}: too few answers to compare with the previous period ({now} now, {then} then).",
                               "lt": "{metric}: per mažai atsakymų palyginti su ankstesniu laikotarpiu (dabar {now}, tuomet {then}).",
                               "pl": "{metric}: za mało odpowiedzi, by porównać z poprzednim okresem (teraz {now}, wtedy {then}).",
                               "lv": "{metric}: par maz atbilžu, lai salīdzinātu ar iepriekšējo periodu (tagad {now}, toreiz {then})."},
    "narr_untested_year_ago": {"en": "{metric}: too few answers to compare with a year earlier ({now} now, {then} then).",
                               "lt": "{metric}: per mažai atsakymų palyginti su praėjusiais metais (dabar {now}, tuomet {then}).",
                               "pl": "{metric}: za mało odpowiedzi, by porównać z rokiem wcześniej (teraz {now}, wtedy {then}).",
                               "lv": "{metric}: par maz atbilžu, lai salīdzinātu ar gadu iepriekš (tagad {now}, toreiz {then})."},
    "narr_rest_diff": {"en": "{metric} is {amount} {direction} than in the rest of the company ({ci}).",
                       "lt": "{metric} yra {amount} {direction} nei likusioje įmonėje ({ci}).",
                       "pl": "{metric} jest o {amount} {direction} niż w reszcie firmy ({ci}).",
                       "lv": "{metric} ir par {amount} {direction} nekā pārējā uzņēmumā ({ci})."},
    "narr_rest_same": {"en": "{metric} does not differ significantly from the rest of the company ({n}).",
                       "lt": "{metric} reikšmingai nesiskiria nuo likusios įmonės ({n}).",
                       "pl": "{metric} nie różni się istotnie od reszty firmy ({n}).",
                       "lv": "{metric} būtiski neatšķiras no pārējā uzņēmuma ({n})."},
    "narr_driver": {"en": "The strongest key driver of NPS is {driver}: {share} of the explained variation ({ci}), clearly ahead of the next one, {second} ({n}).",
                    "lt": "Stipriausiai NPS lemia veiksnys „{driver}“: {share} paaiškintos sklaidos ({ci}); jis reikšmingai svarbesnis už kitą veiksnį „{second}“ ({n}).",
                    "pl": "Najsilniej na NPS wpływa czynnik „{driver}”: {share} wyjaśnionej zmienności ({ci}), istotnie więcej niż kolejny czynnik „{second}” ({n}).",
                    "lv": "Visvairāk NPS nosaka faktors “{driver}”: {share} no izskaidrotās izkliedes ({ci}), būtiski vairāk nekā nākamais faktors “{second}” ({n})."},
    "narr_driver_none": {"en": "No key driver of NPS is clearly ahead of the others ({n}).",
                         "lt": "Nė vienas NPS veiksnys reikšmingai neišsiskiria iš kitų ({n}).",
                         "pl": "Żaden czynnik nie wpływa na NPS istotnie silniej niż pozostałe ({n}).",
                         "lv": "Neviens NPS faktors būtiski neizceļas starp pārējiem ({n})."},
    "narr_theme": {"en": "Comments about {theme} go with an NPS {amount} lower than other comments ({ci}; {n}).",
                   "lt": "Kai komentaruose minima tema „{theme}“, NPS yra {amount} mažesnis nei kituose komentaruose ({ci}; {n}).",
                   "pl": "Gdy komentarze dotyczą tematu „{theme}”, NPS jest o {amount} niższy niż przy pozostałych komentarzach ({ci}; {n}).",
                   "lv": "Ja komentāros minēta tēma “{theme}”, NPS ir par {amount} zemāks nekā pārējos komentāros ({ci}; {n})."},
    "narr_theme_none": {"en": "No comment theme goes with a significantly lower NPS ({n}).",
                        "lt": "Nė viena komentarų tema nesusijusi su reikšmingai mažesniu NPS ({n}).",
                        "pl": "Żaden temat komentarzy nie wiąże się z istotnie niższym NPS ({n}).",
                        "lv": "Neviena komentāru tēma nav saistīta ar būtiski zemāku NPS ({n})."},
    "narr_sum_behind": {"en": "Furthest behind the rest of the company: {unit}, with {metric} {amount} {direction} ({ci}).",
                        "lt": "Labiausiai nuo likusios įmonės atsilieka „{unit}“: {metric} {amount} {direction} ({ci}).",
                        "pl": "Najbardziej od reszty firmy odstaje „{unit}”: {metric} o {amount} {direction} ({ci}).",
                        "lv": "Visvairāk no pārējā uzņēmuma atpaliek “{unit}”: {metric} par {amount} {direction} ({ci})."},
    "narr_sum_ahead": {"en": "Furthest ahead of the rest of the company: {unit}, with {metric} {amount} {direction} ({ci}).",
                       "lt": "Labiausiai likusią įmonę lenkia „{unit}“: {metric} {amount} {direction} ({ci}).",
                       "pl": "Najlepiej na tle reszty firmy wypada „{unit}”: {metric} o {amount} {direction} ({ci}).",
                       "lv": "Visvairāk pārējo uzņēmumu apsteidz “{unit}”: {metric} par {amount} {direction} ({ci})."},
    "narr_sum_no_outlier_unit": {"en": "{metric}: no unit differs significantly from the rest of the company ({n}).",
                                 "lt": "{metric}: nė vienas padalinys reikšmingai nesiskiria nuo likusios įmonės ({n}).",
                                 "pl": "{metric}: żadna jednostka nie różni się istotnie od reszty firmy ({n}).",
                                 "lv": "{metric}: neviena vienība būtiski neatšķiras no pārējā uzņēmuma ({n})."},
    "narr_sum_no_outlier_region": {"en": "{metric}: no region differs significantly from the rest of the company ({n}).",
                                   "lt": "{metric}: nė vienas regionas reikšmingai nesiskiria nuo likusios įmonės ({n}).",
                                   "pl": "{metric}: żaden region nie różni się istotnie od reszty firmy ({n}).",
                                   "lv": "{metric}: neviens reģions būtiski neatšķiras no pārējā uzņēmuma ({n})."},
    "narr_sum_mover": {"en": "Largest significant change {against}: {unit}, where {metric} {verb} {amount} ({ci}).",
                       "lt": "Didžiausias reikšmingas pokytis, {against}, – „{unit}“: {metric} {verb} {amount} ({ci}).",
                       "pl": "Największa istotna zmiana {against} – „{unit}”: {metric} {verb} o {amount} ({ci}).",
                       "lv": "Lielākās būtiskās izmaiņas {against} – “{unit}”: {metric} {verb} par {amount} ({ci})."},
    "narr_sum_no_mover_unit": {"en": "{metric}: no unit changed significantly {against} ({n}).",
                               "lt": "{metric}: {against}, nė vienas padalinys reikšmingai nepasikeitė ({n}).",
                               "pl": "{metric}: {against} żadna jednostka nie zmieniła się istotnie ({n}).",
                               "lv": "{metric}: {against} neviena vienība būtiski nemainījās ({n})."},
    "narr_sum_no_mover_region": {"en": "{metric}: no region changed significantly {against} ({n}).",
                                 "lt": "{metric}: {against}, nė vienas regionas reikšmingai nepasikeitė ({n}).",
                                 "pl": "{metric}: {against} żaden region nie zmienił się istotnie ({n}).",
                                 "lv": "{metric}: {against} neviens reģions būtiski nemainījās ({n})."},
}


def t(key: str, lang: str = "en") -> str:
    """A label in the report language (falls back to English, then to the key).

    Parameters
    ----------
    key : str
        Key of the label or heading in the message catalogue, e.g. ``"headline"``
        or ``"churn_rate"``. A key not in the catalogue is returned unchanged.
    lang : {"en", "lt", "pl", "lv"}, default "en"
        Report language (see :data:`LANGUAGES`).

    Returns
    -------
    str
        The label in ``lang``; the English label when that language has no text
        for the key; ``key`` itself when the key is unknown. Labels with
        placeholders (``{n_boot}``, ``{end}``, ...) are returned unformatted.

    Raises
    ------
    ConfigError
        If ``lang`` is not one of :data:`LANGUAGES`.

    Examples
    --------
    >>> t("headline", "lt")
    'Pagrindiniai rodikliai'
    >>> t("unit", "pl"), t("no_such_label", "lv")
    ('Jednostka', 'no_such_label')
    """
    if lang not in LANGUAGES:
        raise ConfigError(f"language {lang!r} - expected one of {', '.join(LANGUAGES)}")
    entry = _STRINGS.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry["en"]


def _check(lang: str):
    if lang not in LANGUAGES:
        raise ConfigError(f"language {lang!r} - expected one of {', '.join(LANGUAGES)}")


def format_number_local(value, lang: str = "en", digits: int = 1, signed: bool = False) -> str:
    """A number as the locale writes it; missing values as an en dash.

    English writes ``12,345.7``; Lithuanian, Polish and Latvian write
    ``12 345,7`` (a no-break space between thousands, a decimal comma). Negative
    numbers get a true minus sign (``−``), not a hyphen.

    Parameters
    ----------
    value : float, int or None
        The number. Missing values (None, NaN, ``pd.NA``, NaT) give ``"–"``.
    lang : {"en", "lt", "pl", "lv"}, default "en"
        Report language (see :data:`LANGUAGES`).
    digits : int, default 1
        Decimal places; the number is rounded to them.
    signed : bool, default False
        Also put ``+`` before positive numbers (for differences and changes).
        Zero gets no sign.

    Returns
    -------
    str
        The formatted number, or ``"–"`` (en dash) when ``value`` is missing.

    Raises
    ------
    ConfigError
        If ``lang`` is not one of :data:`LANGUAGES`.

    Examples
    --------
    >>> format_number_local(12345.678, "en")
    '12,345.7'
    >>> format_number_local(12345.678, "lt") == "12\u00a0345,7"  # no-break space between thousands
    True
    >>> format_number_local(-3.25, "pl", digits=2, signed=True)
    '−3,25'
    """
    _check(lang)
    if is_missing(value):
        return "–"
    r = round(float(value), digits)
    text = f"{abs(r):,.{digits}f}"
    if lang != "en":
        text = text.replace(",", "\u00a0").replace(".", ",")
    sign = "−" if r < 0 else ("+" if signed and r > 0 else "")
    return sign + text


def format_percent_local(value, lang: str = "en", digits: int = 1) -> str:
    """A percentage (already 0-100) with the locale's spacing: ``45.2%`` / ``45,2 %``.

    Parameters
    ----------
    value : float, int or None
        The percentage on the 0-100 scale (45.2 for 45.2 %), not a share 0-1.
        Missing values give ``"–"``.
    lang : {"en", "lt", "pl", "lv"}, default "en"
        Report language (see :data:`LANGUAGES`). English writes the ``%``
        straight after the number, the other languages after a no-break space.
    digits : int, default 1
        Decimal places.

    Returns
    -------
    str
        The number as :func:`format_number_local` writes it followed by the
        percent sign, or ``"–"`` (en dash) when ``value`` is missing.

    Raises
    ------
    ConfigError
        If ``lang`` is not one of :data:`LANGUAGES`.

    Examples
    --------
    >>> format_percent_local(45.23, "en")
    '45.2%'
    >>> format_percent_local(45.23, "lv") == "45,2\u00a0%"  # no-break space before %
    True
    >>> format_percent_local(None, "pl")
    '–'
    """
    text = format_number_local(value, lang, digits)
    if text == "–":
        return text
    return text + ("%" if lang == "en" else "\u00a0%")


_MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def format_date_local(value, lang: str = "en") -> str:
    """A date as the locale writes it.

    Parameters
    ----------
    value : str, datetime.date or pandas.Timestamp
        The date; text is read with :class:`pandas.Timestamp` (e.g.
        ``"2025-12-31"``). Missing values (None, NaN, NaT) give ``"–"``.
    lang : {"en", "lt", "pl", "lv"}, default "en"
        Report language (see :data:`LANGUAGES`): ``31 Dec 2025`` (en),
        ``2025-12-31`` (lt), ``31.12.2025`` (pl), ``31.12.2025.`` (lv).

    Returns
    -------
    str
        The formatted date, or ``"–"`` (en dash) when ``value`` is missing.

    Raises
    ------
    ConfigError
        If ``lang`` is not one of :data:`LANGUAGES`.

    Examples
    --------
    >>> [format_date_local("2025-12-31", lang) for lang in ("en", "lt", "pl", "lv")]
    ['31 Dec 2025', '2025-12-31', '31.12.2025', '31.12.2025.']
    >>> format_date_local(pd.Timestamp("2025-12-31"), "lt")
    '2025-12-31'
    """
    _check(lang)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    d = pd.Timestamp(value).date() if not isinstance(value, dt.date) else value
    if isinstance(d, dt.datetime):  # a Timestamp or datetime is a date too, but its isoformat has the time
        d = d.date()
    if lang == "en":
        return f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"
    if lang == "lt":
        return d.isoformat()
    if lang == "pl":
        return f"{d.day:02d}.{d.month:02d}.{d.year}"
    return f"{d.day:02d}.{d.month:02d}.{d.year}."


_NAMES: dict[str, dict[str, tuple[str, str, str, str]]] = {  # (en, lt, pl, lv)
    "theme": {
        "delivery": ("Delivery", "Pristatymas", "Dostawa", "Piegāde"),
        "price": ("Price", "Kaina", "Cena", "Cena"),
        "staff": ("Staff", "Darbuotojai", "Personel", "Darbinieki"),
        "waiting": ("Waiting time", "Laukimas", "Czas oczekiwania", "Gaidīšana"),
        "website": ("Website", "Svetainė", "Strona internetowa", "Mājaslapa"),
        "billing": ("Billing", "Sąskaitos", "Rozliczenia", "Rēķini"),
        "quality": ("Quality", "Kokybė", "Jakość", "Kvalitāte"),
    },
    "driver": {
        "attr_delivery": ("Ordering & delivery", "Užsakymas ir pristatymas", "Zamówienie i dostawa", "Pasūtīšana un piegāde"),
        "attr_staff": ("Staff", "Darbuotojai", "Personel", "Darbinieki"),
        "attr_product": ("Product", "Produktas", "Produkt", "Produkts"),
        "attr_price": ("Price", "Kaina", "Cena", "Cena"),
        "attr_website": ("Website", "Svetainė", "Strona internetowa", "Mājaslapa"),
        "attr_billing": ("Billing", "Sąskaitos", "Rozliczenia", "Rēķini"),
    },
    "touchpoint": {
        "store": ("Store", "Parduotuvė", "Sklep", "Veikals"),
        "product": ("Product", "Produktas", "Produkt", "Produkts"),
        "ordering_delivery": ("Ordering & delivery", "Užsakymas ir pristatymas", "Zamówienie i dostawa", "Pasūtīšana un piegāde"),
        "billing": ("Billing", "Sąskaitos", "Rozliczenia", "Rēķini"),
        "website": ("Website", "Svetainė", "Strona internetowa", "Mājaslapa"),
        "service_phone": ("Service by phone", "Aptarnavimas telefonu", "Obsługa telefoniczna", "Apkalpošana pa tālruni"),
        "service_email": ("Service by e-mail", "Aptarnavimas el. paštu", "Obsługa e-mail", "Apkalpošana e-pastā"),
        "service_chat": ("Chat", "Pokalbių langas", "Czat", "Tērzēšana"),
        "social_media": ("Social media", "Socialiniai tinklai", "Media społecznościowe", "Sociālie tīkli"),
    },
}


def name_of(kind: str, key: str, lang: str = "en") -> str:
    """Display name of a theme, driver or touchpoint in the report language.

    Unknown keys are shown readably (``attr_parking`` -> ``Parking``).

    Parameters
    ----------
    kind : {"theme", "driver", "touchpoint"}
        What ``key`` names: a comment theme (``"delivery"``), a driver, i.e. an
        attribute-rating column (``"attr_delivery"``), or a journey touchpoint
        (``"ordering_delivery"``). Another kind finds no names, so ``key`` is
        shown readably.
    key : str
        The theme, driver or touchpoint as it appears in the data; other values
        are turned into text.
    lang : {"en", "lt", "pl", "lv"}, default "en"
        Report language (see :data:`LANGUAGES`).

    Returns
    -------
    str
        The translated name when ``key`` is known; otherwise ``key`` with
        underscores as spaces, in sentence case (for drivers without the
        ``attr_`` prefix), or ``key`` unchanged if that leaves nothing.

    Raises
    ------
    ConfigError
        If ``lang`` is not one of :data:`LANGUAGES`.

    Examples
    --------
    >>> name_of("theme", "delivery", "pl"), name_of("driver", "attr_parking", "en")
    ('Dostawa', 'Parking')
    """
    _check(lang)
    names = _NAMES.get(kind, {}).get(str(key))
    if names:
        return names[LANGUAGES.index(lang)]
    text = str(key)
    if kind == "driver" and text.startswith("attr_"):
        text = text[5:]
    return text.replace("_", " ").strip().capitalize() or str(key)
