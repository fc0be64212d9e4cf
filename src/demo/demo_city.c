/* demo_city.c — generate the Helsingborg demo city as import CSV files.
 *
 * The idea: a small agent model that is cheap to run and easy to reason
 * about.  Each receiving unit has, per goods category, a purchasing relation
 * (a supplier, an ordering frequency, fixed delivery weekdays).  Every working
 * day each due relation produces an order (value ∝ unit size × weekly spend ÷
 * frequency, lognormal noise), scaled down in school holidays; units also
 * place random small top-up orders, often outside the framework contracts.
 * Orders become deliveries on the requested day; each carrier's deliveries of
 * a day are cut into trips by a sweep around its depot (capacity-limited),
 * ordered by nearest neighbour, and timed with simple speeds and service
 * times.  Distances are great-circle × a detour factor of 1.3.  Every number
 * and its reason is in docs/demo.md.  All randomness comes from one sl_rng,
 * consumed in a fixed order, so the same seed gives the same bytes. */
#include "demo_city.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- static tables ------------------------------------------------------ */

enum { T_SCHOOL, T_PRESCHOOL, T_CARE, T_KITCHEN, T_OFFICE, T_N };
static const char *const type_name[T_N] = {"school", "preschool", "care_home", "central_kitchen",
                                           "office"};
static const char *const type_code[T_N] = {"SKO", "FSK", "VOB", "TLK", "KON"};
static const double type_share[T_N] = {0.28, 0.43, 0.13, 0.03, 0.13};
static const int size_min[T_N] = {150, 30, 25, 600, 20};
static const int size_max[T_N] = {750, 140, 90, 2500, 300};
/* receiving hours (minutes after midnight) */
static const int recv_from[T_N] = {390, 420, 420, 330, 480};
static const int recv_to[T_N] = {840, 900, 900, 780, 960};
static const double small_order_p[T_N] = {0.04, 0.05, 0.06, 0.05, 0.03};

enum {
	C_FOOD,
	C_CHILLED,
	C_FROZEN,
	C_BREAD,
	C_FRUIT,
	C_OFFICE,
	C_CLEANING,
	C_HEALTH,
	C_BEVERAGES,
	C_PLAY,
	C_SCHOOLSUP,
	C_TEXTILES,
	C_N
};
static const char *const cat_name[C_N] = {
    "food",     "chilled",     "frozen",    "bread",         "fruit_veg",       "office",
    "cleaning", "health_care", "beverages", "play_material", "school_supplies", "textiles"};
static const char *const cat_temp[C_N] = {"mixed",   "chilled", "frozen",  "ambient",
                                          "chilled", "ambient", "ambient", "ambient",
                                          "ambient", "ambient", "ambient", "ambient"};
static const double price_per_kg[C_N] = {40, 60, 50, 35, 25, 150, 60, 120, 80, 150, 150, 100};
static const double density_kg_m3[C_N] = {250, 300, 320, 80, 200, 200, 300, 120, 350, 90, 200, 150};
static const int lead_days[C_N] = {2, 1, 2, 1, 1, 3, 3, 2, 2, 3, 3, 3};
static const int has_window[C_N] = {1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0};

/* orders per week, by unit type and category */
static const double freq[T_N][C_N] = {
    {2, 2, 1, 2, 2, 0.25, 0.5, 0.1, 0, 0, 0.25, 0}, {1, 2, 0.5, 2, 1, 0.2, 0.3, 0.1, 0, 0.25, 0, 0},
    {2, 2, 1, 3, 2, 0.25, 0.5, 1, 0.5, 0, 0, 0.5},  {3, 3, 1, 3, 3, 0.1, 0.5, 0, 0, 0, 0, 0.25},
    {0, 0, 0, 1, 0.5, 0.5, 0.25, 0, 0.5, 0, 0, 0},
};
/* SEK per person (pupil, child, resident, portion, employee) per week */
static const double spend[T_N][C_N] = {
    {12, 10, 4, 3, 5, 1.0, 1.2, 0.1, 0, 0, 3, 0},  {20, 22, 6, 6, 10, 1.0, 3, 0.3, 0, 6, 0, 0},
    {45, 50, 15, 12, 18, 1.5, 8, 45, 6, 0, 0, 10}, {14, 14, 6, 3, 6, 0.2, 1.5, 0, 0, 0, 0, 1.5},
    {0, 0, 0, 1, 2, 8, 3, 0, 6, 0, 0, 0},
};

struct item {
	const char *name, *unit_code;
	double price_sek;
};
#define NITEMS 5
static const struct item items[C_N][NITEMS] = {
    {{"Pasta fullkorn 5 kg", "EA", 119},
     {"Ris parboiled 10 kg", "EA", 189},
     {"Krossade tomater 2,5 kg", "EA", 54.5},
     {"Rapsolja 10 l", "EA", 229},
     {"Linser röda 5 kg", "EA", 149}},
    {{"Mellanmjölk 10 l", "EA", 129},
     {"Naturell yoghurt 5 l", "EA", 98},
     {"Kycklingfilé", "KGM", 89},
     {"Nötfärs", "KGM", 99},
     {"Ost hushåll", "KGM", 85}},
    {{"Fiskpinnar 5 kg", "EA", 289},
     {"Ärter frysta 2,5 kg", "EA", 69},
     {"Köttbullar 5 kg", "EA", 335},
     {"Broccoli fryst 2,5 kg", "EA", 79},
     {"Glass vanilj 5 l", "EA", 159}},
    {{"Rågbröd skivat", "EA", 32},
     {"Knäckebröd 2 kg", "EA", 78},
     {"Frallor 50 st", "EA", 145},
     {"Limpa", "EA", 29},
     {"Tunnbröd", "EA", 39}},
    {{"Äpplen", "KGM", 24},
     {"Bananer", "KGM", 22},
     {"Morötter", "KGM", 12},
     {"Potatis", "KGM", 9},
     {"Gurka", "EA", 14}},
    {{"Kopieringspapper A4", "EA", 55},
     {"Pärmar 10 st", "EA", 129},
     {"Pennor 50 st", "EA", 149},
     {"Toner", "EA", 899},
     {"Kuvert C4 250 st", "EA", 239}},
    {{"Handtvål 5 l", "EA", 159},
     {"Torkpapper", "EA", 389},
     {"Diskmedel 5 l", "EA", 139},
     {"Allrengöring 5 l", "EA", 119},
     {"Soppåsar 500 st", "EA", 199}},
    {{"Undersökningshandskar 100 st", "EA", 79},
     {"Inkontinensskydd", "EA", 349},
     {"Förband sortiment", "EA", 129},
     {"Handsprit 1 l", "EA", 69},
     {"Munskydd 50 st", "EA", 59}},
    {{"Kaffe 1 kg", "EA", 139},
     {"Te 100 påsar", "EA", 59},
     {"Mineralvatten 24 st", "EA", 119},
     {"Juice 3 l", "EA", 65},
     {"Havredryck 1 l", "EA", 24}},
    {{"Modellera", "EA", 89},
     {"Kritor", "EA", 59},
     {"Pussel", "EA", 149},
     {"Ritpapper", "EA", 99},
     {"Byggklossar", "EA", 399}},
    {{"Skrivhäften 10 st", "EA", 89},
     {"Miniräknare", "EA", 129},
     {"Linjaler 10 st", "EA", 69},
     {"Lim 10 st", "EA", 79},
     {"Suddgummin 20 st", "EA", 49}},
    {{"Frottéhanddukar 10 st", "EA", 399},
     {"Lakan", "EA", 189},
     {"Förkläden", "EA", 149},
     {"Disktrasor 20 st", "EA", 119},
     {"Arbetskläder", "EA", 459}},
};

struct place {
	const char *name, *city;
	double lat, lon, weight;
};
static const struct place places[] = {
    {"Centrum", "Helsingborg", 56.046, 12.700, 3},
    {"Tågaborg", "Helsingborg", 56.058, 12.690, 2},
    {"Stattena", "Helsingborg", 56.055, 12.700, 2},
    {"Eneborg", "Helsingborg", 56.037, 12.712, 2},
    {"Husensjö", "Helsingborg", 56.054, 12.730, 2},
    {"Fredriksdal", "Helsingborg", 56.060, 12.712, 2},
    {"Olympia", "Helsingborg", 56.043, 12.725, 2},
    {"Söder", "Helsingborg", 56.035, 12.705, 3},
    {"Ringstorp", "Helsingborg", 56.065, 12.725, 2},
    {"Dalhem", "Helsingborg", 56.027, 12.740, 2},
    {"Drottninghög", "Helsingborg", 56.042, 12.745, 2},
    {"Planteringen", "Helsingborg", 56.025, 12.720, 2},
    {"Gåsebäck", "Helsingborg", 56.028, 12.730, 1},
    {"Närlunda", "Helsingborg", 56.022, 12.750, 1},
    {"Högasten", "Helsingborg", 56.020, 12.760, 1},
    {"Elineberg", "Helsingborg", 56.030, 12.760, 2},
    {"Rosengården", "Helsingborg", 56.038, 12.770, 2},
    {"Västra Ramlösa", "Helsingborg", 56.015, 12.735, 1},
    {"Ramlösa", "Helsingborg", 56.022, 12.738, 1},
    {"Råå", "Råå", 56.003, 12.748, 2},
    {"Påarp", "Påarp", 56.030, 12.820, 1},
    {"Ödåkra", "Ödåkra", 56.105, 12.745, 2},
    {"Mörarp", "Mörarp", 56.065, 12.850, 1},
    {"Kattarp", "Kattarp", 56.143, 12.775, 1},
    {"Hittarp", "Helsingborg", 56.098, 12.655, 1},
    {"Laröd", "Helsingborg", 56.088, 12.670, 1},
    {"Domsten", "Helsingborg", 56.118, 12.622, 1},
    {"Allerum", "Helsingborg", 56.085, 12.780, 1},
    {"Bårslöv", "Bårslöv", 56.015, 12.855, 1},
    {"Gantofta", "Gantofta", 55.985, 12.815, 1},
    {"Rydebäck", "Rydebäck", 55.966, 12.790, 1},
    {"Vallåkra", "Vallåkra", 55.965, 12.855, 1},
    {"Hasslarp", "Hasslarp", 56.123, 12.812, 1},
    {"Pålsjö", "Helsingborg", 56.068, 12.690, 1},
    {"Berga", "Helsingborg", 56.060, 12.745, 2},
    {"Mariastaden", "Helsingborg", 56.070, 12.745, 2},
    {"Maria Park", "Helsingborg", 56.075, 12.730, 1},
    {"Brohuset", "Helsingborg", 56.058, 12.770, 1},
    {"Adolfsberg", "Helsingborg", 56.078, 12.705, 1},
    {"Wilson Park", "Helsingborg", 56.040, 12.735, 1},
    {"Slottshöjden", "Helsingborg", 56.052, 12.708, 1},
    {"Fältabacken", "Helsingborg", 56.044, 12.756, 1},
    {"Ättekulla", "Helsingborg", 56.010, 12.760, 1},
    {"Fjärestad", "Fjärestad", 56.000, 12.870, 1},
};
#define NPLACES ((int)(sizeof places / sizeof places[0]))

/* The coast as (lat, lon); sites stay at least 0.006° east of it. */
static const double coast[][2] = {
    {55.95, 12.790},  {55.97, 12.770},  {56.00, 12.735},  {56.02, 12.712},
    {56.035, 12.695}, {56.046, 12.689}, {56.060, 12.680}, {56.075, 12.665},
    {56.095, 12.637}, {56.117, 12.607}, {56.14, 12.575},  {56.16, 12.560},
};

static const char *const school_stems[] = {
    "Björka", "Ekebacks", "Lind",  "Lönnebergs", "Rönnbäcks", "Hassel", "Tallbacks", "Sol",
    "Stjärn", "Ängs",     "Skogs", "Bergs",      "Dal",       "Strand", "Backa",     "Kulla",
    "Vik",    "Havs",     "Sand",  "Park",       "Borg",      "Holm",   "Kvarn",     "Slotts",
    "Kyrk",   "Brunns",   "Fälte", "Gärdes",     "Lunda",     "Heds",   "Nygårds",   "Västra",
    "Östra",  "Norra",    "Södra", "Mölle",      "Sjöbacka",  "Ljung",  "Fyr",       "Ros"};
static const char *const preschool_names[] = {
    "Myran",      "Humlan",      "Nyckelpigan", "Solrosen",   "Blåklinten",  "Ekorren",
    "Igelkotten", "Uggleboet",   "Trollet",     "Regnbågen",  "Skattkistan", "Kastanjen",
    "Lärkan",     "Svalan",      "Linden",      "Tallkotten", "Måsen",       "Snäckan",
    "Fyren",      "Vågen",       "Bäcken",      "Ängen",      "Smultronet",  "Blåbäret",
    "Lingonet",   "Äppelgården", "Päronet",     "Körsbäret",  "Vitsippan",   "Blåsippan",
    "Maskrosen",  "Tussilago",   "Kotten",      "Mullvaden",  "Grodan",      "Fjärilen",
    "Sparven",    "Koltrasten",  "Räven",       "Haren",      "Älgen",       "Björnen",
    "Musslan",    "Sjöstjärnan", "Båten",       "Ankaret",    "Kompassen",   "Stjärnan",
    "Månen",      "Solen",       "Molnet",      "Vinden",     "Tornet",      "Slottet",
    "Kullen",     "Dalen",       "Lunden",      "Parken",     "Gläntan",     "Stigen"};
static const char *const care_names[] = {
    "Ekbacken",   "Lindgården",   "Solhaga",      "Västergården",   "Tallbacken",   "Havsutsikten",
    "Ljunghaga",  "Åbogården",    "Björkhagen",   "Sofiagården",    "Rosenlund",    "Källgården",
    "Ängsgården", "Pilgården",    "Slottsbacken", "Kvarngården",    "Lärkbacken",   "Bokhaga",
    "Vikhaga",    "Strandgården", "Almgården",    "Kastanjegården", "Hasselbacken", "Furuhem",
    "Lönngården", "Sjöhaga",      "Fyrbacken",    "Kullagården",    "Dalagården",   "Parkhemmet"};
static const char *const office_names[] = {"Stadshuset",
                                           "Rådhuset",
                                           "Kulturförvaltningen",
                                           "Skol- och fritidsförvaltningen",
                                           "Vård- och omsorgsförvaltningen",
                                           "Stadsbyggnadsförvaltningen",
                                           "Arbetsmarknadsförvaltningen",
                                           "Socialförvaltningen",
                                           "Miljöförvaltningen",
                                           "Räddningstjänsten",
                                           "Stadsbiblioteket",
                                           "Dunkers kulturhus",
                                           "Fastighetsförvaltningen",
                                           "Kontaktcenter"};
static const char *const streets[] = {
    "Skolgatan",   "Storgatan",    "Drottninggatan", "Kungsgatan",       "Södra vägen",
    "Norra vägen", "Björkvägen",   "Ekvägen",        "Lindallén",        "Parkgatan",
    "Kyrkogatan",  "Ringvägen",    "Bruksgatan",     "Hamngatan",        "Ängsvägen",
    "Lärkgatan",   "Vikingagatan", "Furutorpsgatan", "Carl Krooks gata", "Bergaliden"};

/* depot locations in the region */
struct depot {
	const char *name;
	double lat, lon;
	const char *postcode;
};
enum {
	DP_BERGA,
	DP_LANGEBERGA,
	DP_ATTEKULLA,
	DP_LANDSKRONA,
	DP_ANGELHOLM,
	DP_MALMO,
	DP_LUND,
	DP_HOGANAS,
	DP_BJUV,
	DP_ASTORP,
	DP_ODAKRA,
	DP_RAA
};
static const struct depot depots[] = {
    {"Helsingborg", 56.062, 12.765, "254 67"}, {"Helsingborg", 56.110, 12.765, "254 74"},
    {"Helsingborg", 56.005, 12.770, "252 50"}, {"Landskrona", 55.880, 12.860, "261 51"},
    {"Ängelholm", 56.245, 12.870, "262 73"},   {"Malmö", 55.565, 13.040, "212 41"},
    {"Lund", 55.720, 13.210, "224 78"},        {"Höganäs", 56.200, 12.565, "263 39"},
    {"Bjuv", 56.085, 12.920, "267 32"},        {"Åstorp", 56.135, 12.945, "265 39"},
    {"Ödåkra", 56.108, 12.748, "260 35"},      {"Råå", 56.005, 12.750, "252 70"},
};

/* contract situation of a supplier in the generated year */
enum { CT_NONE, CT_FULL, CT_RENEW, CT_ENDS, CT_STARTS };

struct supplier_def {
	const char *name;
	int cat, is_local, depot, own_carrier, contract, telematics;
};
static const struct supplier_def supplier_defs[] = {
    {"Skånsk Storhushållsgrossist AB", C_FOOD, 0, DP_MALMO, 1, CT_RENEW, 1},
    {"Nordvästra Livs AB", C_FOOD, 0, DP_BERGA, 1, CT_FULL, 1},
    {"Kullabygdens Partihandel AB", C_FOOD, 1, DP_ANGELHOLM, 1, CT_NONE, 0},
    {"Sydgross Restaurang AB", C_FOOD, 0, DP_LANDSKRONA, 1, CT_FULL, 1},
    {"Öresundsmejeriet AB", C_CHILLED, 0, DP_LANDSKRONA, 1, CT_STARTS, 1},
    {"Landskrona Kyllogistik AB", C_CHILLED, 0, DP_LANDSKRONA, 1, CT_ENDS, 0},
    {"Söderåsens Mejeri AB", C_CHILLED, 1, DP_BJUV, 0, CT_NONE, 0},
    {"Kullens Chark AB", C_CHILLED, 1, DP_HOGANAS, 0, CT_NONE, 0},
    {"Rååns Fisk AB", C_CHILLED, 1, DP_RAA, 0, CT_NONE, 0},
    {"Söderslätts Ägg och Fågel AB", C_CHILLED, 0, DP_MALMO, 0, CT_FULL, 0},
    {"Nordfrys Syd AB", C_FROZEN, 0, DP_LANGEBERGA, 1, CT_FULL, 1},
    {"Frysbilen i Skåne AB", C_FROZEN, 0, DP_MALMO, 1, CT_RENEW, 0},
    {"Glassmakarna i Höganäs AB", C_FROZEN, 1, DP_HOGANAS, 1, CT_NONE, 0},
    {"Bageriet på Söder AB", C_BREAD, 1, DP_ATTEKULLA, 1, CT_FULL, 0},
    {"Ödåkra Bröd AB", C_BREAD, 1, DP_ODAKRA, 1, CT_NONE, 0},
    {"Landskrona Bageri AB", C_BREAD, 0, DP_LANDSKRONA, 0, CT_FULL, 0},
    {"Söderbagarna Malmö AB", C_BREAD, 0, DP_MALMO, 0, CT_NONE, 0},
    {"Grönt från Bjuv AB", C_FRUIT, 1, DP_BJUV, 1, CT_NONE, 0},
    {"Hallandsåsens Frukt & Grönt AB", C_FRUIT, 0, DP_ANGELHOLM, 1, CT_FULL, 1},
    {"Öresunds Grönsakshall AB", C_FRUIT, 0, DP_BERGA, 0, CT_FULL, 0},
    {"Kontorsvaruhuset Syd AB", C_OFFICE, 0, DP_MALMO, 0, CT_FULL, 0},
    {"Papper & Penna Helsingborg AB", C_OFFICE, 1, DP_BERGA, 0, CT_NONE, 0},
    {"Skrivbordet Skåne AB", C_OFFICE, 0, DP_LUND, 0, CT_NONE, 0},
    {"Nordisk Kontorsservice AB", C_OFFICE, 0, DP_MALMO, 0, CT_RENEW, 0},
    {"Ängelholms Kontorsmaterial AB", C_OFFICE, 1, DP_ANGELHOLM, 0, CT_NONE, 0},
    {"Rent & Fint Hygien AB", C_CLEANING, 0, DP_LANDSKRONA, 0, CT_FULL, 0},
    {"Skånsk Städgrossist AB", C_CLEANING, 0, DP_MALMO, 0, CT_FULL, 0},
    {"Hygienhuset Helsingborg AB", C_CLEANING, 1, DP_BERGA, 0, CT_NONE, 0},
    {"Nordens Renhållningsmaterial AB", C_CLEANING, 0, DP_LUND, 0, CT_NONE, 0},
    {"Klart Städ & Förbrukning AB", C_CLEANING, 1, DP_ANGELHOLM, 0, CT_NONE, 0},
    {"Vårdmaterial Syd AB", C_HEALTH, 0, DP_MALMO, 0, CT_FULL, 0},
    {"Omsorgsprodukter i Skåne AB", C_HEALTH, 0, DP_LUND, 0, CT_RENEW, 0},
    {"MediLager Helsingborg AB", C_HEALTH, 1, DP_LANGEBERGA, 0, CT_NONE, 0},
    {"Inkontinensservice Syd AB", C_HEALTH, 0, DP_MALMO, 0, CT_FULL, 0},
    {"Sjukvårdsförråd Öresund AB", C_HEALTH, 0, DP_LANDSKRONA, 0, CT_NONE, 0},
    {"Kaffe & Automater Kullen AB", C_BEVERAGES, 1, DP_HOGANAS, 1, CT_FULL, 0},
    {"Leksaksgrossisten Syd AB", C_PLAY, 0, DP_LUND, 0, CT_FULL, 0},
    {"Skolmaterial Norden AB", C_SCHOOLSUP, 0, DP_MALMO, 0, CT_FULL, 0},
    {"Textilservice Öresund AB", C_TEXTILES, 0, DP_LANDSKRONA, 0, CT_FULL, 0},
    {"Pysselhörnan Helsingborg AB", C_PLAY, 1, DP_ATTEKULLA, 0, CT_NONE, 0},
};
#define NSUP ((int)(sizeof supplier_defs / sizeof supplier_defs[0]))

struct carrier_def {
	const char *name;
	int depot, reports_trips, reports_vehicle, telematics, electric, is_local;
};
static const struct carrier_def carrier_defs[] = {
    {"Helsingborgs Åkeri AB", DP_BERGA, 1, 1, 1, 0, 1},
    {"Öresund Distribution AB", DP_LANDSKRONA, 1, 1, 0, 0, 0},
    {"Skåne Paketexpress AB", DP_MALMO, 0, 0, 0, 0, 0},
    {"Grön Citylogistik HBG AB", DP_ATTEKULLA, 1, 1, 1, 1, 1},
    {"Nordvästskånes Budbilar AB", DP_LANGEBERGA, 0, 1, 0, 0, 1},
};
#define NCARDEF ((int)(sizeof carrier_defs / sizeof carrier_defs[0]))

enum { VC_VAN, VC_R75, VC_R12, VC_R20, VC_R26, VC_ART, VC_N };
static const char *const vclass_name[VC_N] = {"van_lt_3.5t",   "rigid_3.5_7.5t",
                                              "rigid_7.5_12t", "rigid_12_20t",
                                              "rigid_20_26t",  "articulated_34_40t"};
static const double vcap_kg[VC_N] = {900, 2500, 4500, 8000, 12000, 24000};
static const double vcap_m3[VC_N] = {10, 20, 32, 42, 50, 85};
static const int vcap_pallets[VC_N] = {3, 8, 12, 16, 18, 33};
static const double vcons_l_100km[VC_N] = {9, 15, 20, 25, 30, 33};
static const double vcons_kwh_km[VC_N] = {0.25, 0.55, 0.8, 1.1, 1.3, 1.5};

/* ---- model state -------------------------------------------------------- */

struct unit {
	char org_id[24], site_id[24];
	int type, size, place;
	double lat, lon;
};

struct relation {
	int unit, cat, supplier, period_weeks, phase, switch_to;
	int64_t switch_day;
	unsigned weekdays; /* bit 0 = Monday */
	double per_order_sek;
};

struct vehicle {
	char id[16];
	int vclass;
	const char *energy;
	double free_at_min;
};

struct carrier {
	char org_id[24], site_id[24];
	double lat, lon;
	int reports_trips, reports_vehicle, telematics, start_min;
	struct vehicle *veh;
	int nveh;
	long trip_seq;
};

struct supplier {
	char org_id[24];
	int carrier;
	long order_seq, delivery_seq, announce_seq;
};

struct delivery {
	int supplier, unit, cat, split, cancelled;
	long orders[4];
	int norders;
	double mass_kg, volume_m3;
	int planned_min;
	double angle;
};

struct gen {
	sl_rng rng;
	const sl_demo_options *opt;
	struct unit *units;
	int nunits;
	struct relation *rel;
	int nrel;
	struct supplier sup[NSUP];
	struct carrier *car;
	int ncar;
	int64_t first_day, end_day;
	FILE *f_trips, *f_orders, *f_deliveries;
	struct delivery *today, *tomorrow;
	size_t ntoday, ntomorrow, cap_today, cap_tomorrow;
	int announcing; /* generating the announced days: deliveries are plans */
	sl_demo_stats st;
	int failed;
};

/* ---- helpers ------------------------------------------------------------ */

static double urand(struct gen *g, double a, double b)
{
	return a + (b - a) * sl_rng_double(&g->rng);
}

static int irand(struct gen *g, int n)
{
	return (int)sl_rng_below(&g->rng, (uint64_t)n);
}

static double coast_lon(double lat)
{
	size_t n = sizeof coast / sizeof coast[0];
	if (lat <= coast[0][0])
		return coast[0][1];
	for (size_t i = 1; i < n; i++)
		if (lat <= coast[i][0]) {
			double t = (lat - coast[i - 1][0]) / (coast[i][0] - coast[i - 1][0]);
			return coast[i - 1][1] + t * (coast[i][1] - coast[i - 1][1]);
		}
	return coast[n - 1][1];
}

static double gc_km(double lat1, double lon1, double lat2, double lon2)
{
	const double r = 6371.0088, d2r = M_PI / 180.0;
	double dlat = (lat2 - lat1) * d2r, dlon = (lon2 - lon1) * d2r;
	double a = sin(dlat / 2) * sin(dlat / 2) +
	           cos(lat1 * d2r) * cos(lat2 * d2r) * sin(dlon / 2) * sin(dlon / 2);
	return 2 * r * asin(sqrt(a));
}

/* GS1 check digit over the first n digits of s (GLN n=12, GTIN-13 n=12). */
static void gs1_complete(char *s, int n)
{
	int sum = 0;
	for (int i = n - 1, w = 3; i >= 0; i--, w = 4 - w)
		sum += (s[i] - '0') * w;
	s[n] = (char)('0' + (10 - sum % 10) % 10);
	s[n + 1] = 0;
}

/* A Swedish organisation number NNNNNN-NNNN with a valid Luhn digit. */
static void org_number(struct gen *g, char *out, const char *prefix3)
{
	char d[11];
	memcpy(d, prefix3, 3);
	for (int i = 3; i < 9; i++)
		d[i] = (char)('0' + irand(g, 10));
	int sum = 0;
	for (int i = 0; i < 9; i++) {
		int v = (d[i] - '0') * (i % 2 == 0 ? 2 : 1);
		sum += v > 9 ? v - 9 : v;
	}
	d[9] = (char)('0' + (10 - sum % 10) % 10);
	snprintf(out, 12, "%.6s-%.4s", d, d + 6);
}

/* Write a CSV field, quoting when needed (RFC 4180). */
static void csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void fmt_time(int64_t day, int min, char *out)
{
	sl_time_format_local(sl_local_to_utc(day, min * 60), out, 32);
}

static void fmt_hhmm(int min, char *out)
{
	snprintf(out, 8, "%02d:%02d", (min / 60) % 24, min % 60);
}

/* ---- calendar ----------------------------------------------------------- */

static int64_t easter_day(int y)
{
	int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
	int f = (b + 8) / 25, gg = (b - f + 1) / 3, h = (19 * a + b - d - gg + 15) % 30;
	int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
	return sl_days_from_civil(y, month, day);
}

/* Public holidays and the de-facto closed eves (midsummer, Christmas, New
 * Year's Eve). */
static int public_holiday(int64_t d)
{
	int y, m, dd;
	sl_civil_from_days(d, &y, &m, &dd);
	int64_t e = easter_day(y);
	if ((m == 1 && (dd == 1 || dd == 6)) || (m == 5 && dd == 1) || (m == 6 && dd == 6) ||
	    (m == 12 && (dd == 24 || dd == 25 || dd == 26 || dd == 31)))
		return 1;
	if (d == e - 2 || d == e + 1 || d == e + 39)
		return 1;
	if (m == 6 && dd >= 19 && dd <= 25 && sl_weekday(d) == 5) /* midsummer eve */
		return 1;
	return 0;
}

/* 0 = term time, 1 = short school holiday, 2 = summer holiday, 3 = July */
static int school_holiday(int64_t d)
{
	int y, m, dd, iy, w;
	sl_civil_from_days(d, &y, &m, &dd);
	sl_iso_week(d, &iy, &w);
	int64_t e = easter_day(y);
	if (w == 7 || w == 44) /* sportlov (Skåne), höstlov */
		return 1;
	if (d >= e - 6 && d <= e + 1) /* påsklov: Holy Week + Easter Monday */
		return 1;
	if (d == e + 40) /* the Friday after Ascension */
		return 1;
	if ((m == 1 && dd <= 7) || (m == 12 && dd >= 20))
		return 1;
	int64_t summer_from = sl_days_from_civil(y, 6, 13),
	        summer_to = sl_days_from_civil(y, 8, 18);
	if (d >= summer_from && d <= summer_to)
		return m == 7 ? 3 : 2;
	return 0;
}

static int working_day(int64_t d)
{
	return sl_weekday(d) <= 5 && !public_holiday(d);
}

static int64_t working_days_before(int64_t d, int n)
{
	while (n > 0) {
		d--;
		if (working_day(d))
			n--;
	}
	return d;
}

/* How much of its normal demand a unit has on day d (0..1). */
static double open_factor(int type, int64_t d)
{
	int h = school_holiday(d);
	switch (type) {
	case T_SCHOOL: return h ? 0.0 : 1.0;
	case T_PRESCHOOL: return h == 3 ? 0.35 : h ? 0.75 : 1.0;
	case T_KITCHEN: return h ? 0.3 : 1.0;
	case T_OFFICE: return h == 3 ? 0.4 : 1.0;
	default: return 1.0;
	}
}

/* ---- the static world --------------------------------------------------- */

static int pick_place(struct gen *g, int type)
{
	double total = 0;
	for (int i = 0; i < NPLACES; i++)
		total += places[i].weight;
	if (type == T_OFFICE && sl_rng_double(&g->rng) < 0.6)
		return irand(g, 3) == 0 ? 7 : 0; /* centre or Söder */
	double x = urand(g, 0, total);
	for (int i = 0; i < NPLACES; i++) {
		x -= places[i].weight;
		if (x < 0)
			return i;
	}
	return NPLACES - 1;
}

static void unit_name(struct gen *g, const struct unit *u, int nth, char *out, size_t n)
{
	const char *place = places[u->place].name;
	size_t ns = sizeof school_stems / sizeof school_stems[0];
	size_t np = sizeof preschool_names / sizeof preschool_names[0];
	size_t nc = sizeof care_names / sizeof care_names[0];
	size_t no = sizeof office_names / sizeof office_names[0];
	switch (u->type) {
	case T_SCHOOL:
		if (nth < (int)ns)
			snprintf(out, n, "%sskolan", school_stems[nth]);
		else
			snprintf(out, n, "%sskolan %s", school_stems[nth % ns], place);
		break;
	case T_PRESCHOOL:
		if (nth < (int)np)
			snprintf(out, n, "Förskolan %s", preschool_names[nth]);
		else
			snprintf(out, n, "Förskolan %s, %s", preschool_names[nth % np], place);
		break;
	case T_CARE:
		if (nth < (int)nc)
			snprintf(out, n, "%s vård- och omsorgsboende", care_names[nth]);
		else
			snprintf(out, n, "%s vård- och omsorgsboende, %s", care_names[nth % nc],
			         place);
		break;
	case T_KITCHEN: snprintf(out, n, "Tillagningskök %s %d", place, nth + 1); break;
	default:
		if (nth < (int)no)
			snprintf(out, n, "%s", office_names[nth]);
		else
			snprintf(out, n, "Medborgarkontor %s %d", place, nth + 1);
		break;
	}
	(void)g;
}

static int write_world(struct gen *g, FILE *fo, FILE *fs, FILE *fc, FILE *fv)
{
	char buf[200], num[16], gln[32];
	fputs("id,kind,name,org_number,gln,category,is_local,parent\n", fo);
	fputs("id,org,name,unit_type,address,postcode,city,lon,lat,gln,receiving_days,"
	      "receiving_from,receiving_to\n",
	      fs);
	fputs("id,supplier,category,title,valid_from,valid_to\n", fc);
	fputs("id,carrier,reg_plate,vehicle_class,energy_carrier,euro_class,capacity_kg,"
	      "capacity_m3,capacity_pallets,temp_classes\n",
	      fv);
	fputs("HBG,city,Helsingborgs stad,212000-1108,,,1,\n", fo);
	g->st.organisations++;

	/* receiving units */
	int counts[T_N] = {0}, nth[T_N] = {0};
	int assigned = 0;
	for (int t = 0; t < T_N; t++) {
		counts[t] = (int)lround(type_share[t] * g->nunits);
		assigned += counts[t];
	}
	counts[T_PRESCHOOL] += g->nunits - assigned;
	int ui = 0;
	for (int t = 0; t < T_N; t++)
		for (int k = 0; k < counts[t] && ui < g->nunits; k++, ui++) {
			struct unit *u = &g->units[ui];
			u->type = t;
			u->place = pick_place(g, t);
			u->size = size_min[t] + irand(g, size_max[t] - size_min[t] + 1);
			u->lat = places[u->place].lat + urand(g, -0.006, 0.006);
			u->lon = places[u->place].lon + urand(g, -0.010, 0.010);
			double cl = coast_lon(u->lat) + 0.006;
			if (u->lon < cl)
				u->lon = cl + urand(g, 0, 0.004);
			snprintf(u->org_id, sizeof u->org_id, "U-%s-%03d", type_code[t], k + 1);
			snprintf(u->site_id, sizeof u->site_id, "S-%s-%03d", type_code[t], k + 1);
			unit_name(g, u, nth[t]++, buf, sizeof buf);
			fprintf(fo, "%s,unit,", u->org_id);
			csv_field(fo, buf);
			fputs(",,,,0,HBG\n", fo);
			snprintf(gln, sizeof gln, "735999%06d", ui + 1);
			gs1_complete(gln, 12);
			fprintf(fs, "%s,%s,", u->site_id, u->org_id);
			csv_field(fs, buf);
			const char *street =
			    streets[irand(g, (int)(sizeof streets / sizeof streets[0]))];
			int house = 1 + irand(g, 60), pc = 250 + irand(g, 7),
			    pc2 = 10 + irand(g, 80);
			fprintf(fs, ",%s,%s %d,%d %02d,%s,%.6f,%.6f,%s,Mon-Fri,", type_name[t],
			        street, house, pc, pc2, places[u->place].city, u->lon, u->lat, gln);
			char a[8], b[8];
			fmt_hhmm(recv_from[t], a);
			fmt_hhmm(recv_to[t], b);
			fprintf(fs, "%s,%s\n", a, b);
			g->st.organisations++;
			g->st.sites++;
		}

	/* carriers: the separate carriers first, then suppliers that drive */
	g->ncar = 0;
	for (int c = 0; c < NCARDEF; c++) {
		struct carrier *k = &g->car[g->ncar++];
		const struct carrier_def *cd = &carrier_defs[c];
		snprintf(k->org_id, sizeof k->org_id, "CAR-%02d", c + 1);
		snprintf(k->site_id, sizeof k->site_id, "D-CAR-%02d", c + 1);
		k->lat = depots[cd->depot].lat;
		k->lon = depots[cd->depot].lon;
		k->reports_trips = cd->reports_trips;
		k->reports_vehicle = cd->reports_vehicle;
		k->telematics = cd->telematics;
		k->start_min = 420;
		org_number(g, num, "556");
		fprintf(fo, "%s,carrier,", k->org_id);
		csv_field(fo, cd->name);
		fprintf(fo, ",%s,,,%d,\n", num, cd->is_local);
		g->st.organisations++;
	}
	for (int s = 0; s < NSUP; s++) {
		const struct supplier_def *sd = &supplier_defs[s];
		struct supplier *sp = &g->sup[s];
		snprintf(sp->org_id, sizeof sp->org_id, "SUP-%02d", s + 1);
		org_number(g, num, s % 3 ? "556" : "559");
		snprintf(gln, sizeof gln, "7350%08d", 1000 + s * 37);
		gs1_complete(gln, 12);
		fprintf(fo, "%s,supplier,", sp->org_id);
		csv_field(fo, sd->name);
		fprintf(fo, ",%s,%s,%s,%d,\n", num, gln, cat_name[sd->cat], sd->is_local);
		g->st.organisations++;
		if (sd->own_carrier) {
			struct carrier *k = &g->car[g->ncar];
			sp->carrier = g->ncar++;
			snprintf(k->org_id, sizeof k->org_id, "%s", sp->org_id);
			snprintf(k->site_id, sizeof k->site_id, "D-%s", sp->org_id);
			k->lat = depots[sd->depot].lat;
			k->lon = depots[sd->depot].lon;
			k->reports_trips = 1;
			k->reports_vehicle = 1;
			k->telematics = sd->telematics;
			k->start_min = sd->cat <= C_FRUIT ? 330 : 420;
		} else {
			/* office/health → parcel or courier carriers, the rest → hauliers */
			int c;
			if (sd->cat == C_OFFICE || sd->cat == C_SCHOOLSUP)
				c = s % 2 ? 2 : 4;
			else if (sd->cat == C_HEALTH || sd->cat == C_PLAY)
				c = s % 2 ? 2 : 3;
			else
				c = s % 3 == 0 ? 3 : s % 2 ? 0 : 1;
			sp->carrier = c;
		}
	}

	/* depot sites: one per supplier (also for those who do not drive) and
	 * one terminal per separate carrier */
	for (int s = 0; s < NSUP; s++) {
		const struct depot *dp = &depots[supplier_defs[s].depot];
		fprintf(fs, "D-%s,%s,", g->sup[s].org_id, g->sup[s].org_id);
		snprintf(buf, sizeof buf, "%s lager %s", supplier_defs[s].name, dp->name);
		csv_field(fs, buf);
		fprintf(fs, ",depot,Industrigatan %d,%s,%s,%.6f,%.6f,,Mon-Fri,05:00,17:00\n", 1 + s,
		        dp->postcode, dp->name, dp->lon + 0.001 * (s % 5),
		        dp->lat + 0.0007 * (s % 7));
		g->st.sites++;
	}
	for (int c = 0; c < NCARDEF; c++) {
		const struct depot *dp = &depots[carrier_defs[c].depot];
		fprintf(fs, "%s,%s,", g->car[c].site_id, g->car[c].org_id);
		snprintf(buf, sizeof buf, "%s terminal", carrier_defs[c].name);
		csv_field(fs, buf);
		fprintf(fs, ",hub,Terminalvägen %d,%s,%s,%.6f,%.6f,,Mon-Fri,05:00,18:00\n", 2 + c,
		        dp->postcode, dp->name, dp->lon - 0.0015 * c, dp->lat + 0.001 * c);
		g->st.sites++;
	}

	/* framework contracts */
	int y = g->opt->year;
	for (int s = 0; s < NSUP; s++) {
		const struct supplier_def *sd = &supplier_defs[s];
		const char *c = cat_name[sd->cat];
		const char *sid = g->sup[s].org_id;
		char f1[12], t1[12];
		switch (sd->contract) {
		case CT_FULL:
			sl_date_format(sl_days_from_civil(y - 2, 4, 1), f1, sizeof f1);
			sl_date_format(sl_days_from_civil(y + 1, 3, 31), t1, sizeof t1);
			fprintf(fc, "AVT-%d-%02d,%s,%s,Ramavtal %s,%s,%s\n", y - 2, s + 1, sid, c,
			        c, f1, t1);
			g->st.contracts++;
			break;
		case CT_RENEW:
			sl_date_format(sl_days_from_civil(y - 3, 7, 1), f1, sizeof f1);
			sl_date_format(sl_days_from_civil(y, 6, 30), t1, sizeof t1);
			fprintf(fc, "AVT-%d-%02d,%s,%s,Ramavtal %s,%s,%s\n", y - 3, s + 1, sid, c,
			        c, f1, t1);
			sl_date_format(sl_days_from_civil(y, 7, 1), f1, sizeof f1);
			sl_date_format(sl_days_from_civil(y + 2, 6, 30), t1, sizeof t1);
			fprintf(fc, "AVT-%d-%02d,%s,%s,Ramavtal %s (förnyat),%s,%s\n", y, s + 1,
			        sid, c, c, f1, t1);
			g->st.contracts += 2;
			break;
		case CT_ENDS:
			sl_date_format(sl_days_from_civil(y - 3, 9, 1), f1, sizeof f1);
			sl_date_format(sl_days_from_civil(y, 8, 31), t1, sizeof t1);
			fprintf(fc, "AVT-%d-%02d,%s,%s,Ramavtal %s,%s,%s\n", y - 3, s + 1, sid, c,
			        c, f1, t1);
			g->st.contracts++;
			break;
		case CT_STARTS:
			sl_date_format(sl_days_from_civil(y, 9, 1), f1, sizeof f1);
			fprintf(fc, "AVT-%d-%02d,%s,%s,Ramavtal %s,%s,\n", y, s + 1, sid, c, c, f1);
			g->st.contracts++;
			break;
		default: break;
		}
	}
	return 0;
}

/* Contract id valid for supplier s on day d (for the order's optional
 * contract column), or NULL. */
static const char *contract_for(struct gen *g, int s, int64_t d, char *out)
{
	int y = g->opt->year;
	switch (supplier_defs[s].contract) {
	case CT_FULL: snprintf(out, 32, "AVT-%d-%02d", y - 2, s + 1); return out;
	case CT_RENEW:
		snprintf(out, 32, "AVT-%d-%02d", d < sl_days_from_civil(y, 7, 1) ? y - 3 : y,
		         s + 1);
		return out;
	case CT_ENDS: snprintf(out, 32, "AVT-%d-%02d", y - 3, s + 1); return out; /* habit */
	case CT_STARTS:
		if (d < sl_days_from_civil(y, 9, 1))
			return NULL;
		snprintf(out, 32, "AVT-%d-%02d", y, s + 1);
		return out;
	default: return NULL;
	}
}

static int suppliers_of(int cat, int contracted, int *out)
{
	int n = 0;
	for (int s = 0; s < NSUP; s++)
		if (supplier_defs[s].cat == cat &&
		    (contracted ? supplier_defs[s].contract != CT_NONE
		                : supplier_defs[s].contract == CT_NONE))
			out[n++] = s;
	return n;
}

static int build_relations(struct gen *g)
{
	int cand[NSUP], ncand, off[NSUP], noff;
	g->nrel = 0;
	for (int ui = 0; ui < g->nunits; ui++) {
		const struct unit *u = &g->units[ui];
		for (int c = 0; c < C_N; c++) {
			double f = freq[u->type][c];
			if (f <= 0)
				continue;
			struct relation *r = &g->rel[g->nrel++];
			memset(r, 0, sizeof *r);
			r->unit = ui;
			r->cat = c;
			r->switch_to = -1;
			ncand = suppliers_of(c, 1, cand);
			noff = suppliers_of(c, 0, off);
			/* a "starts" supplier only wins relations by switching */
			int ncur = 0, cur[NSUP];
			for (int i = 0; i < ncand; i++)
				if (supplier_defs[cand[i]].contract != CT_STARTS)
					cur[ncur++] = cand[i];
			if (ncur == 0 || (noff > 0 && sl_rng_double(&g->rng) < 0.12))
				r->supplier = noff ? off[irand(g, noff)] : cand[irand(g, ncand)];
			else
				r->supplier = cur[irand(g, ncur)];
			if (supplier_defs[r->supplier].contract == CT_ENDS) {
				for (int i = 0; i < ncand; i++)
					if (supplier_defs[cand[i]].contract == CT_STARTS)
						r->switch_to = cand[i];
				r->switch_day =
				    sl_days_from_civil(g->opt->year, 9, 1) + irand(g, 57);
			}
			if (f >= 1) {
				int k = (int)lround(f);
				static const unsigned masks[6] = {0, 0x01, 0x09, 0x15, 0x1b, 0x1f};
				unsigned m = masks[k > 5 ? 5 : k];
				int rot = k < 5 ? irand(g, 5) : 0;
				unsigned mm = 0;
				for (int b = 0; b < 5; b++)
					if (m & (1u << b))
						mm |= 1u << ((b + rot) % 5);
				/* keep patterns like Mon/Thu inside the week */
				r->weekdays = mm;
				r->period_weeks = 1;
			} else {
				r->weekdays = 1u << irand(g, 5);
				r->period_weeks = (int)lround(1.0 / f);
				r->phase = irand(g, r->period_weeks);
			}
			r->per_order_sek = 1.7 * spend[u->type][c] * u->size / f;
		}
	}
	return 0;
}

static int build_fleets(struct gen *g, FILE *fv)
{
	/* expected stops per working day per carrier → fleet size */
	double load[64] = {0};
	for (int i = 0; i < g->nrel; i++) {
		const struct relation *r = &g->rel[i];
		load[g->sup[r->supplier].carrier] += freq[g->units[r->unit].type][r->cat] / 5.0;
	}
	for (int c = 0; c < g->ncar; c++) {
		struct carrier *k = &g->car[c];
		int nveh = 2 + (int)(load[c] / 14.0);
		k->veh = calloc((size_t)nveh, sizeof *k->veh);
		if (!k->veh)
			return SL_ENOMEM;
		k->nveh = nveh;
		int electric = c < NCARDEF && carrier_defs[c].electric;
		int cat = -1;
		for (int s = 0; s < NSUP; s++)
			if (g->sup[s].carrier == c && c >= NCARDEF)
				cat = supplier_defs[s].cat;
		for (int v = 0; v < nveh; v++) {
			struct vehicle *vh = &k->veh[v];
			snprintf(vh->id, sizeof vh->id, "V%02d", v + 1);
			double x = sl_rng_double(&g->rng);
			if (cat == C_BREAD || cat == C_BEVERAGES)
				vh->vclass = x < 0.6 ? VC_VAN : VC_R75;
			else if (cat >= 0)
				vh->vclass = x < 0.1    ? VC_R75
				             : x < 0.4  ? VC_R12
				             : x < 0.85 ? VC_R20
				             : x < 0.95 ? VC_R26
				                        : VC_ART;
			else if (electric)
				vh->vclass = x < 0.5 ? VC_VAN : VC_R75;
			else
				vh->vclass = x < 0.35 ? VC_VAN : x < 0.75 ? VC_R75 : VC_R12;
			double e = sl_rng_double(&g->rng);
			int small = vh->vclass <= VC_R12;
			if (electric)
				vh->energy = "electricity";
			else if (e < 0.45)
				vh->energy = "diesel_b7";
			else if (e < 0.75)
				vh->energy = "hvo100";
			else if (e < 0.83)
				vh->energy = "cbg";
			else if (e < 0.87)
				vh->energy = "fame100";
			else if (e < 0.97)
				vh->energy = small ? "electricity" : "hvo100";
			else if (e < 0.99)
				vh->energy = vh->vclass == VC_VAN ? "petrol" : "diesel_b7";
			else
				vh->energy = vh->vclass >= VC_R20 ? "ed95" : "diesel_b7";
			int zero = strcmp(vh->energy, "electricity") == 0;
			char euro[4] = "";
			if (!zero) {
				double u = sl_rng_double(&g->rng);
				snprintf(euro, sizeof euro, "%d",
				         u < 0.72   ? 6
				         : u < 0.90 ? 5
				         : u < 0.97 ? 4
				                    : 3);
			}
			const char *temps =
			    (cat == C_CHILLED || cat == C_FROZEN || cat == C_FOOD || cat == C_FRUIT)
			        ? "ambient|chilled|frozen"
			    : cat < 0 ? "ambient|chilled"
			              : "ambient";
			char plate[8];
			/* one draw per statement: argument evaluation order is
			 * unspecified, and the bytes must not depend on the compiler */
			int p1 = irand(g, 26), p2 = irand(g, 26), p3 = irand(g, 26);
			int p4 = irand(g, 100), p5 = irand(g, 32);
			snprintf(plate, sizeof plate, "%c%c%c%02d%c", 'A' + p1, 'A' + p2, 'A' + p3,
			         p4, "0123456789ABCDEFGHJKLMNPRSTUWXYZ"[p5]);
			fprintf(fv, "%s,%s,%s,%s,%s,%s,%.0f,%.0f,%d,%s\n", vh->id, k->org_id, plate,
			        vclass_name[vh->vclass], vh->energy, euro, vcap_kg[vh->vclass],
			        vcap_m3[vh->vclass], vcap_pallets[vh->vclass], temps);
			g->st.vehicles++;
		}
	}
	return 0;
}

/* ---- orders and deliveries ---------------------------------------------- */

static struct delivery *push_delivery(struct delivery **arr, size_t *n, size_t *cap)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 1024;
		struct delivery *p = realloc(*arr, nc * sizeof *p);
		if (!p)
			return NULL;
		*arr = p;
		*cap = nc;
	}
	struct delivery *d = &(*arr)[(*n)++];
	memset(d, 0, sizeof *d);
	return d;
}

/* Write one order (its lines) for delivery day d; returns the order seq. */
static long write_order(struct gen *g, int s, int ui, int cat, int64_t d, double target_sek,
                        int on_contract, double *mass_kg)
{
	struct supplier *sp = &g->sup[s];
	long seq = ++sp->order_seq;
	int64_t oday = working_days_before(d, lead_days[cat]);
	char at[32], req[12], cid[32];
	fmt_time(oday, 480 + irand(g, 480), at);
	sl_date_format(d, req, sizeof req);
	const char *contract = NULL;
	if (on_contract && sl_rng_double(&g->rng) < 0.5)
		contract = contract_for(g, s, oday, cid);
	int nlines = 1 + (int)(target_sek / 700.0);
	if (nlines > 20)
		nlines = 20;
	double per_line = target_sek / nlines, value = 0;
	for (int l = 0; l < nlines; l++) {
		int ii = irand(g, NITEMS);
		const struct item *it = &items[cat][ii];
		double q = floor(per_line * urand(g, 0.6, 1.4) / it->price_sek + 0.5);
		if (q < 1)
			q = 1;
		int64_t line_ore = (int64_t)llround(q * it->price_sek * 100.0);
		value += (double)line_ore / 100.0;
		char gtin[32];
		snprintf(gtin, sizeof gtin, "73100%02d%05d", cat, ii * 11 + 3);
		gs1_complete(gtin, 12);
		fprintf(g->f_orders, "ORD%07ld,%s,%s,%s,%s,%s,%s,%d,", seq, sp->org_id,
		        g->units[ui].site_id, cat_name[cat], at, req, contract ? contract : "",
		        l + 1);
		csv_field(g->f_orders, it->name);
		fprintf(g->f_orders, ",%s,%.0f,%s,%lld.%02lld\n", gtin, q, it->unit_code,
		        (long long)(line_ore / 100), (long long)(line_ore % 100));
		g->st.order_lines++;
	}
	g->st.orders++;
	*mass_kg += value / price_per_kg[cat];
	return seq;
}

static int add_order(struct gen *g, int s, int ui, int cat, int64_t d, double target_sek,
                     int on_contract)
{
	double mass = 0;
	long seq = write_order(g, s, ui, cat, d, target_sek, on_contract, &mass);
	/* same supplier, same site, same day: usually packed together */
	for (size_t i = 0; i < g->ntoday; i++) {
		struct delivery *x = &g->today[i];
		if (x->supplier == s && x->unit == ui && x->norders < 4 && !x->split &&
		    sl_rng_double(&g->rng) < 0.7) {
			x->orders[x->norders++] = seq;
			x->mass_kg += mass;
			x->volume_m3 += mass / density_kg_m3[cat];
			return 0;
		}
	}
	int split = sl_rng_double(&g->rng) < 0.02;
	struct delivery *dl = push_delivery(&g->today, &g->ntoday, &g->cap_today);
	if (!dl)
		return SL_ENOMEM;
	dl->supplier = s;
	dl->unit = ui;
	dl->cat = cat;
	dl->orders[0] = seq;
	dl->norders = 1;
	dl->mass_kg = split ? mass * 0.8 : mass;
	dl->volume_m3 = dl->mass_kg / density_kg_m3[cat];
	if (split) { /* backorder: the rest comes the next working day */
		struct delivery *b = push_delivery(&g->tomorrow, &g->ntomorrow, &g->cap_tomorrow);
		if (!b)
			return SL_ENOMEM;
		*b = *dl;
		b->split = 1;
		b->mass_kg = mass * 0.2;
		b->volume_m3 = b->mass_kg / density_kg_m3[cat];
	}
	return 0;
}

static int generate_orders(struct gen *g, int64_t d)
{
	int iy, w;
	sl_iso_week(d, &iy, &w);
	int wd = sl_weekday(d) - 1;
	int off[NSUP];
	for (int i = 0; i < g->nrel; i++) {
		struct relation *r = &g->rel[i];
		if (!(r->weekdays & (1u << wd)) || (w + r->phase) % r->period_weeks)
			continue;
		const struct unit *u = &g->units[r->unit];
		double f = open_factor(u->type, d);
		if (f <= 0 || sl_rng_double(&g->rng) >= f)
			continue;
		int s = r->supplier;
		if (r->switch_to >= 0 && d >= r->switch_day)
			s = r->switch_to;
		double v = r->per_order_sek * (0.5 + 0.5 * f) * exp(0.3 * sl_rng_normal(&g->rng));
		/* may name its contract; an expired one is still named out of habit */
		int on = supplier_defs[s].contract != CT_NONE;
		int rc = add_order(g, s, r->unit, r->cat, d, v, on);
		if (rc)
			return rc;
	}
	/* small top-up orders */
	for (int ui = 0; ui < g->nunits; ui++) {
		const struct unit *u = &g->units[ui];
		double f = open_factor(u->type, d);
		if (sl_rng_double(&g->rng) >= small_order_p[u->type] * f)
			continue;
		int cats[C_N], nc = 0;
		for (int c = 0; c < C_N; c++)
			if (freq[u->type][c] > 0)
				cats[nc++] = c;
		int c = cats[irand(g, nc)];
		int s = -1;
		int noff = suppliers_of(c, 0, off);
		if (noff && sl_rng_double(&g->rng) < 0.5)
			s = off[irand(g, noff)];
		else {
			int cand[NSUP], ncand = suppliers_of(c, 1, cand);
			for (int tries = 0; tries < 8 && s < 0; tries++) {
				int x = cand[irand(g, ncand)];
				if (supplier_defs[x].contract != CT_STARTS)
					s = x;
			}
			if (s < 0)
				s = cand[0];
		}
		int on = supplier_defs[s].contract != CT_NONE;
		int rc = add_order(g, s, ui, c, d, urand(g, 150, 950), on);
		if (rc)
			return rc;
	}
	return 0;
}

static int cmp_angle(const void *a, const void *b)
{
	const struct delivery *x = a, *y = b;
	return (x->angle > y->angle) - (x->angle < y->angle);
}

static void write_delivery(struct gen *g, const struct delivery *dl, int64_t d, const char *veh,
                           const char *trip, int seq, int actual_min)
{
	struct supplier *sp = &g->sup[dl->supplier];
	const struct carrier *k = &g->car[sp->carrier];
	char at[32], wf[8] = "", wt[8] = "", seqs[16] = "";
	fmt_time(d, actual_min, at);
	int window = has_window[dl->cat] && g->units[dl->unit].type != T_OFFICE && !dl->cancelled;
	if (window) {
		int from = (dl->planned_min / 30) * 30 - 30;
		fmt_hhmm(from, wf);
		fmt_hhmm(from + 90, wt);
	}
	if (seq > 0)
		snprintf(seqs, sizeof seqs, "%d", seq);
	int parcels = (int)ceil(dl->mass_kg / 12.0);
	if (g->announcing) {
		/* a plan: planned time, the vehicle if known, no trip, no orders
		 * (they are placed later); a plan that would be cancelled is
		 * simply not announced */
		if (dl->cancelled)
			return;
		fmt_time(d, dl->planned_min, at);
		fprintf(g->f_deliveries, "ANN%07ld,%s,%s,%s,%s,,,%s,%d,%.1f,%.3f,%s,,%s,%s,announced\n",
		        ++sp->announce_seq, sp->org_id, k->org_id, g->units[dl->unit].site_id, veh, at,
		        parcels < 1 ? 1 : parcels, dl->mass_kg, dl->volume_m3, cat_temp[dl->cat], wf,
		        wt);
		g->st.announcements++;
		return;
	}
	fprintf(g->f_deliveries, "DLV%07ld,%s,%s,%s,%s,%s,%s,%s,%d,%.1f,%.3f,%s,",
	        ++sp->delivery_seq, sp->org_id, k->org_id, g->units[dl->unit].site_id, veh, trip,
	        seqs, at, parcels < 1 ? 1 : parcels, dl->mass_kg, dl->volume_m3, cat_temp[dl->cat]);
	for (int i = 0; i < dl->norders; i++)
		fprintf(g->f_deliveries, "%sORD%07ld", i ? "|" : "", dl->orders[i]);
	fprintf(g->f_deliveries, ",%s,%s,%s\n", wf, wt, dl->cancelled ? "cancelled" : "delivered");
	g->st.deliveries++;
}

static int actual_time(struct gen *g, int planned)
{
	double t = planned + 8.0 * sl_rng_normal(&g->rng);
	if (sl_rng_double(&g->rng) < 0.06)
		t += urand(g, 25, 90);
	int m = (int)lround(t);
	return m < 0 ? 0 : m > 1439 ? 1439 : m;
}

static void route_carrier(struct gen *g, int c, struct delivery *L, size_t n, int64_t d)
{
	struct carrier *k = &g->car[c];
	char tripid[32], dayfmt[12];
	int y, m, dd;
	sl_civil_from_days(d, &y, &m, &dd);
	snprintf(dayfmt, sizeof dayfmt, "%02d%02d%02d", y % 100, m, dd);
	for (size_t i = 0; i < n; i++) {
		const struct unit *u = &g->units[L[i].unit];
		L[i].angle = atan2(u->lat - k->lat, (u->lon - k->lon) * cos(u->lat * M_PI / 180));
	}
	qsort(L, n, sizeof *L, cmp_angle);
	if (!k->reports_trips) {
		for (size_t i = 0; i < n; i++) {
			L[i].planned_min = 480 + irand(g, 420);
			const char *veh = k->reports_vehicle ? k->veh[irand(g, k->nveh)].id : "";
			write_delivery(g, &L[i], d, veh, "", 0, actual_time(g, L[i].planned_min));
		}
		return;
	}
	for (int v = 0; v < k->nveh; v++)
		k->veh[v].free_at_min = k->start_min + urand(g, 0, 40);
	size_t i = 0;
	int trip_no = 0;
	while (i < n) {
		/* the vehicle that is free first takes the next trip */
		int vi = 0;
		for (int v = 1; v < k->nveh; v++)
			if (k->veh[v].free_at_min < k->veh[vi].free_at_min)
				vi = v;
		struct vehicle *vh = &k->veh[vi];
		double capk = 0.95 * vcap_kg[vh->vclass], capv = 0.95 * vcap_m3[vh->vclass];
		size_t j = i;
		double mass = 0, vol = 0;
		while (j < n && j - i < 18 &&
		       (j == i || (mass + L[j].mass_kg <= capk && vol + L[j].volume_m3 <= capv))) {
			mass += L[j].mass_kg;
			vol += L[j].volume_m3;
			j++;
		}
		/* nearest-neighbour order of stops i..j-1 */
		double lat = k->lat, lon = k->lon, km = 0, t = vh->free_at_min;
		for (size_t a = i; a < j; a++) {
			size_t best = a;
			double bd = 1e18;
			for (size_t b = a; b < j; b++) {
				const struct unit *u = &g->units[L[b].unit];
				double dist = gc_km(lat, lon, u->lat, u->lon);
				if (dist < bd) {
					bd = dist;
					best = b;
				}
			}
			struct delivery tmp = L[a];
			L[a] = L[best];
			L[best] = tmp;
			double leg = bd * 1.3;
			km += leg;
			t += leg / (leg > 5 ? 60.0 : 28.0) * 60.0;
			L[a].planned_min = (int)t;
			double svc = 6 + 0.02 * L[a].mass_kg;
			t += svc > 35 ? 35 : svc;
			lat = g->units[L[a].unit].lat;
			lon = g->units[L[a].unit].lon;
		}
		double back = gc_km(lat, lon, k->lat, k->lon) * 1.3;
		km += back;
		t += back / (back > 5 ? 60.0 : 28.0) * 60.0;
		snprintf(tripid, sizeof tripid, "T%s-%02d", dayfmt, ++trip_no);
		char sa[32], ea[32], fuel[32] = "", unit[8] = "";
		fmt_time(d, (int)vh->free_at_min, sa);
		fmt_time(d, t > 1439 ? 1439 : (int)t, ea);
		if (k->telematics) {
			double noise = urand(g, 0.9, 1.1);
			if (strcmp(vh->energy, "electricity") == 0) {
				snprintf(fuel, sizeof fuel, "%.1f",
				         km * vcons_kwh_km[vh->vclass] * noise);
				strcpy(unit, "kWh");
			} else if (strcmp(vh->energy, "cbg") == 0) {
				snprintf(fuel, sizeof fuel, "%.1f",
				         km * vcons_l_100km[vh->vclass] / 100.0 * 0.85 * noise);
				strcpy(unit, "kg");
			} else {
				snprintf(fuel, sizeof fuel, "%.1f",
				         km * vcons_l_100km[vh->vclass] / 100.0 * noise);
				strcpy(unit, "l");
			}
		}
		fprintf(g->f_trips, "%s,%s,%s,%s,%s,%s,%.1f,%s,%s,\n", tripid, k->org_id, vh->id,
		        k->site_id, sa, ea, km, fuel, unit);
		g->st.trips++;
		for (size_t a = i; a < j; a++) {
			/* noise never puts a stop before its trip left the depot */
			int at = actual_time(g, L[a].planned_min);
			if (at <= (int)vh->free_at_min)
				at = (int)vh->free_at_min + 1;
			write_delivery(g, &L[a], d, vh->id, tripid, (int)(a - i + 1), at);
		}
		vh->free_at_min = t + 20;
		i = j;
	}
}

static int deliver_day(struct gen *g, int64_t d)
{
	/* cancelled deliveries leave the trips; they are reported without one */
	for (size_t i = 0; i < g->ntoday; i++)
		if (sl_rng_double(&g->rng) < 0.01)
			g->today[i].cancelled = 1;
	struct delivery *L = malloc((g->ntoday ? g->ntoday : 1) * sizeof *L);
	if (!L)
		return SL_ENOMEM;
	for (int c = 0; c < g->ncar; c++) {
		size_t n = 0;
		for (size_t i = 0; i < g->ntoday; i++) {
			const struct delivery *x = &g->today[i];
			if (g->sup[x->supplier].carrier == c && !x->cancelled)
				L[n++] = *x;
		}
		if (n)
			route_carrier(g, c, L, n, d);
	}
	for (size_t i = 0; i < g->ntoday; i++)
		if (g->today[i].cancelled) {
			g->today[i].planned_min = 420;
			write_delivery(g, &g->today[i], d, "", "", 0, 420);
		}
	free(L);
	/* tomorrow's backorders become today's list of the next working day */
	struct delivery *t = g->today;
	size_t tc = g->cap_today;
	g->today = g->tomorrow;
	g->ntoday = g->ntomorrow;
	g->cap_today = g->cap_tomorrow;
	g->tomorrow = t;
	g->cap_tomorrow = tc;
	g->ntomorrow = 0;
	return 0;
}

/* ---- entry point -------------------------------------------------------- */

void sl_demo_options_init(sl_demo_options *o)
{
	o->seed = 1;
	o->year = 2025;
	o->units = 300;
	o->days = 0;
	o->announce_days = 10;
}

static FILE *open_out(const char *dir, const char *name, sl_error *err)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		sl_error_set(err, SL_EIO, "cannot create '%s': %s", path, strerror(errno));
	return f;
}

int sl_demo_write(const char *dir, const sl_demo_options *opt, sl_demo_stats *stats, sl_error *err)
{
	if (!dir || !*dir)
		return sl_error_set(err, SL_EUSAGE, "no output directory given");
	if (opt->year < 2000 || opt->year > 2100)
		return sl_error_set(err, SL_EUSAGE, "year %d out of range 2000..2100", opt->year);
	if (opt->units < 10 || opt->units > 2000)
		return sl_error_set(err, SL_EUSAGE, "units %d out of range 10..2000", opt->units);
	if (opt->days < 0 || opt->days > 366)
		return sl_error_set(err, SL_EUSAGE, "days %d out of range 1..366", opt->days);
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return sl_error_set(err, SL_EIO, "cannot create directory '%s': %s", dir,
		                    strerror(errno));

	struct gen *g = calloc(1, sizeof *g);
	if (!g)
		return sl_error_set(err, SL_ENOMEM, "out of memory");
	g->opt = opt;
	sl_rng_seed(&g->rng, opt->seed);
	g->nunits = opt->units;
	g->units = calloc((size_t)g->nunits, sizeof *g->units);
	g->rel = calloc((size_t)g->nunits * C_N, sizeof *g->rel);
	g->car = calloc(NCARDEF + NSUP, sizeof *g->car);
	static const char *const names[] = {"organisations.csv", "sites.csv", "contracts.csv",
	                                    "vehicles.csv",      "trips.csv", "orders.csv",
	                                    "deliveries.csv",    "announcements.csv"};
	FILE *f[8] = {0}, *sink = NULL;
	int rc = 0;
	if (!g->units || !g->rel || !g->car) {
		rc = sl_error_set(err, SL_ENOMEM, "out of memory");
		goto done;
	}
	for (int i = 0; i < 8; i++)
		if (!(f[i] = open_out(dir, names[i], err))) {
			rc = SL_EIO;
			goto done;
		}
	g->f_trips = f[4];
	g->f_orders = f[5];
	g->f_deliveries = f[6];
	fputs("id,carrier,vehicle,origin_site,start_at,end_at,distance_km,fuel_used,fuel_unit,"
	      "energy_carrier\n",
	      g->f_trips);
	fputs("id,supplier,site,category,ordered_at,requested_date,contract,line_id,item,gtin,"
	      "quantity,unit_code,line_value_sek\n",
	      g->f_orders);
	for (int i = 6; i < 8; i++)
		fputs("id,supplier,carrier,site,vehicle,trip,stop_seq,delivered_at,parcels,mass_kg,"
		      "volume_m3,temp_class,orders,window_from,window_to,status\n",
		      f[i]);

	write_world(g, f[0], f[1], f[2], f[3]);
	build_relations(g);
	if ((rc = build_fleets(g, f[3])) != 0) {
		sl_error_set(err, rc, "out of memory");
		goto done;
	}
	g->first_day = sl_days_from_civil(opt->year, 1, 1);
	int ndays =
	    opt->days ? opt->days : (int)(sl_days_from_civil(opt->year + 1, 1, 1) - g->first_day);
	for (int64_t d = g->first_day; d < g->first_day + ndays; d++) {
		if (!working_day(d))
			continue;
		if ((rc = generate_orders(g, d)) != 0 || (rc = deliver_day(g, d)) != 0) {
			sl_error_set(err, rc, "out of memory");
			goto done;
		}
	}
	/* The announced days: the same machinery, after everything else (so the
	 * other files are as without them); their orders and trips go to a sink
	 * and their deliveries, as plans, to announcements.csv. */
	if (opt->announce_days > 0) {
		if (!(sink = tmpfile())) {
			rc = sl_error_set(err, SL_EIO, "cannot create a temporary file");
			goto done;
		}
		g->announcing = 1;
		g->f_orders = sink;
		g->f_trips = sink;
		g->f_deliveries = f[7];
		long orders = g->st.orders, lines = g->st.order_lines, trips = g->st.trips;
		int left = opt->announce_days;
		for (int64_t d = g->first_day + ndays; left > 0; d++) {
			if (!working_day(d))
				continue;
			left--;
			if ((rc = generate_orders(g, d)) != 0 || (rc = deliver_day(g, d)) != 0) {
				sl_error_set(err, rc, "out of memory");
				goto done;
			}
		}
		g->st.orders = orders;
		g->st.order_lines = lines;
		g->st.trips = trips;
	}
done:
	if (sink)
		fclose(sink);
	for (int i = 0; i < 8; i++)
		if (f[i] && (ferror(f[i]) | fclose(f[i])) && rc == 0)
			rc = sl_error_set(err, SL_EIO, "cannot write '%s/%s'", dir, names[i]);
	if (rc == 0 && stats)
		*stats = g->st;
	if (g->car)
		for (int c = 0; c < g->ncar; c++)
			free(g->car[c].veh);
	free(g->car);
	free(g->units);
	free(g->rel);
	free(g->today);
	free(g->tomorrow);
	free(g);
	return rc;
}
