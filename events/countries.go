package events

import (
	"strconv"
	"strings"

	"github.com/peaceops/peaceops/geo"
)

// Country resolution for the readers. UCDP names countries by Gleditsch-Ward
// number (country_id) and its own spelling ("Myanmar (Burma)", "DR Congo
// (Zaire)"); ACLED by ISO 3166-1 numeric code (iso) and its own spelling.
// The tables cover the countries of the shipped data, the hosts of UN peace
// operations past and present and the main conflict countries of both
// datasets; anything else is resolved by name against geo's ISO list or
// left empty and flagged.

// gwToISO maps Gleditsch-Ward country numbers to ISO 3166-1 alpha-3.
// Historical states map to their successor where UCDP uses the number for
// both (678 Yemen (North Yemen) -> YEM, 345 Serbia (Yugoslavia) -> SRB).
var gwToISO = map[int]string{
	2: "USA", 20: "CAN", 40: "CUB", 41: "HTI", 42: "DOM", 70: "MEX", 90: "GTM",
	91: "HND", 92: "SLV", 93: "NIC", 94: "CRI", 95: "PAN", 100: "COL", 101: "VEN",
	130: "ECU", 135: "PER", 140: "BRA", 145: "BOL", 150: "PRY", 155: "CHL",
	160: "ARG", 165: "URY", 200: "GBR", 205: "IRL", 210: "NLD", 211: "BEL",
	220: "FRA", 230: "ESP", 235: "PRT", 255: "DEU", 290: "POL", 316: "CZE",
	317: "SVK", 310: "HUN", 325: "ITA", 339: "ALB", 341: "MNE", 343: "MKD",
	344: "HRV", 345: "SRB", 346: "BIH", 349: "SVN", 350: "GRC", 352: "CYP",
	355: "BGR", 359: "MDA", 360: "ROU", 365: "RUS", 369: "UKR", 370: "BLR",
	371: "ARM", 372: "GEO", 373: "AZE", 404: "GNB", 411: "GNQ", 420: "GMB",
	432: "MLI", 433: "SEN", 434: "BEN", 435: "MRT", 436: "NER", 437: "CIV",
	438: "GIN", 439: "BFA", 450: "LBR", 451: "SLE", 452: "GHA", 461: "TGO",
	471: "CMR", 475: "NGA", 481: "GAB", 482: "CAF", 483: "TCD", 484: "COG",
	490: "COD", 500: "UGA", 501: "KEN", 510: "TZA", 516: "BDI", 517: "RWA",
	520: "SOM", 522: "DJI", 530: "ETH", 531: "ERI", 540: "AGO", 541: "MOZ",
	551: "ZMB", 552: "ZWE", 553: "MWI", 560: "ZAF", 565: "NAM", 570: "LSO",
	571: "BWA", 572: "SWZ", 580: "MDG", 581: "COM", 600: "MAR", 615: "DZA",
	616: "TUN", 620: "LBY", 625: "SDN", 626: "SSD", 630: "IRN", 640: "TUR",
	645: "IRQ", 651: "EGY", 652: "SYR", 660: "LBN", 663: "JOR", 666: "ISR",
	670: "SAU", 678: "YEM", 680: "YEM", 690: "KWT", 700: "AFG", 701: "TKM",
	702: "TJK", 703: "KGZ", 704: "UZB", 705: "KAZ", 710: "CHN", 712: "MNG",
	731: "PRK", 732: "KOR", 740: "JPN", 750: "IND", 760: "BTN", 770: "PAK",
	771: "BGD", 775: "MMR", 780: "LKA", 790: "NPL", 800: "THA", 811: "KHM",
	812: "LAO", 816: "VNM", 820: "MYS", 840: "PHL", 850: "IDN", 860: "TLS",
	910: "PNG", 940: "SLB", 950: "FJI",
}

// isoNumericToAlpha3 maps ISO 3166-1 numeric codes (ACLED's iso) to alpha-3.
var isoNumericToAlpha3 = map[int]string{
	4: "AFG", 8: "ALB", 12: "DZA", 24: "AGO", 31: "AZE", 32: "ARG", 50: "BGD",
	51: "ARM", 68: "BOL", 70: "BIH", 72: "BWA", 76: "BRA", 104: "MMR", 108: "BDI",
	112: "BLR", 116: "KHM", 120: "CMR", 124: "CAN", 140: "CAF", 144: "LKA",
	148: "TCD", 152: "CHL", 156: "CHN", 170: "COL", 174: "COM", 178: "COG",
	180: "COD", 188: "CRI", 192: "CUB", 196: "CYP", 204: "BEN", 214: "DOM",
	218: "ECU", 222: "SLV", 226: "GNQ", 231: "ETH", 232: "ERI", 262: "DJI",
	266: "GAB", 268: "GEO", 270: "GMB", 275: "PSE", 288: "GHA", 320: "GTM",
	324: "GIN", 332: "HTI", 340: "HND", 356: "IND", 360: "IDN", 364: "IRN",
	368: "IRQ", 376: "ISR", 384: "CIV", 398: "KAZ", 400: "JOR", 404: "KEN",
	408: "PRK", 410: "KOR", 417: "KGZ", 418: "LAO", 422: "LBN", 426: "LSO",
	430: "LBR", 434: "LBY", 450: "MDG", 454: "MWI", 458: "MYS", 466: "MLI",
	478: "MRT", 484: "MEX", 498: "MDA", 504: "MAR", 508: "MOZ", 516: "NAM",
	524: "NPL", 558: "NIC", 562: "NER", 566: "NGA", 586: "PAK", 591: "PAN",
	598: "PNG", 604: "PER", 608: "PHL", 624: "GNB", 626: "TLS", 643: "RUS",
	646: "RWA", 682: "SAU", 686: "SEN", 688: "SRB", 694: "SLE", 706: "SOM",
	710: "ZAF", 716: "ZWE", 728: "SSD", 729: "SDN", 732: "ESH", 748: "SWZ",
	760: "SYR", 762: "TJK", 764: "THA", 768: "TGO", 788: "TUN", 792: "TUR",
	795: "TKM", 800: "UGA", 804: "UKR", 818: "EGY", 834: "TZA", 840: "USA",
	854: "BFA", 858: "URY", 860: "UZB", 862: "VEN", 704: "VNM", 887: "YEM",
	894: "ZMB",
}

// countryAliases maps lower-cased spellings used by UCDP and ACLED that
// differ from geo's ISO short names.
var countryAliases = map[string]string{
	"myanmar (burma)":                  "MMR",
	"myanmar":                          "MMR",
	"burma":                            "MMR",
	"dr congo (zaire)":                 "COD",
	"dr congo":                         "COD",
	"democratic republic of congo":     "COD",
	"congo, dem. rep.":                 "COD",
	"republic of congo":                "COG",
	"congo, rep.":                      "COG",
	"ivory coast":                      "CIV",
	"cote d'ivoire":                    "CIV",
	"cambodia (kampuchea)":             "KHM",
	"yemen (north yemen)":              "YEM",
	"south yemen":                      "YEM",
	"russia (soviet union)":            "RUS",
	"russia":                           "RUS",
	"serbia (yugoslavia)":              "SRB",
	"zimbabwe (rhodesia)":              "ZWE",
	"madagascar (malagasy)":            "MDG",
	"bosnia-herzegovina":               "BIH",
	"kingdom of eswatini (swaziland)":  "SWZ",
	"eswatini":                         "SWZ",
	"swaziland":                        "SWZ",
	"macedonia, fyr":                   "MKD",
	"macedonia":                        "MKD",
	"iran":                             "IRN",
	"syria":                            "SYR",
	"laos":                             "LAO",
	"vietnam":                          "VNM",
	"vietnam (north vietnam)":          "VNM",
	"tanzania":                         "TZA",
	"bolivia":                          "BOL",
	"venezuela":                        "VEN",
	"turkey":                           "TUR",
	"moldova":                          "MDA",
	"palestine":                        "PSE",
	"south korea":                      "KOR",
	"north korea":                      "PRK",
	"czech republic":                   "CZE",
	"cape verde":                       "CPV",
	"brunei":                           "BRN",
	"united states":                    "USA",
	"united states of america":         "USA",
	"united kingdom":                   "GBR",
	"east timor":                       "TLS",
	"gambia":                           "GMB",
	"the gambia":                       "GMB",
	"sudan":                            "SDN",
	"south sudan":                      "SSD",
	"central african republic":         "CAF",
	"democratic republic of the congo": "COD",
}

// countryNames maps lower-cased ISO short names to codes.
var countryNames = indexCountryNames()

func indexCountryNames() map[string]string {
	m := make(map[string]string)
	for _, c := range geo.CountryCodes() {
		name, _ := geo.CountryName(c)
		m[strings.ToLower(name)] = c
	}
	for k, v := range countryAliases {
		m[k] = v
	}
	return m
}

// countryByName returns the ISO alpha-3 code of a country name.
func countryByName(name string) (string, bool) {
	c, ok := countryNames[strings.ToLower(strings.Join(strings.Fields(name), " "))]
	return c, ok
}

// countryByGW returns the ISO alpha-3 code of a Gleditsch-Ward number given
// as text.
func countryByGW(s string) (string, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return "", false
	}
	c, ok := gwToISO[n]
	return c, ok
}

// countryByISONumeric returns the alpha-3 code of an ISO numeric code given
// as text ("140", "4", "004").
func countryByISONumeric(s string) (string, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return "", false
	}
	c, ok := isoNumericToAlpha3[n]
	return c, ok
}

// resolveCountry sets e.Country from a code lookup and a name lookup. The
// code wins; when both resolve and disagree the event is flagged; when
// neither resolves it is flagged unknown_country.
func resolveCountry(e *Event, byCode string, codeOK bool, name string) {
	byName, nameOK := "", false
	if name != "" {
		byName, nameOK = countryByName(name)
	}
	switch {
	case codeOK:
		e.Country = byCode
		if nameOK && byName != byCode {
			e.AddFlag(FlagCountryMismatch)
		}
	case nameOK:
		e.Country = byName
	default:
		e.AddFlag(FlagUnknownCountry)
	}
}
