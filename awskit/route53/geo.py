"""Where clients and Regions are: the geography behind latency and geolocation routing.

- Geolocation routing matches a query's origin by continent, country (ISO 3166-1 alpha-2) and,
  for some countries, subdivision (US states) [BC route53:GeoLocation]. Route 53 maps the
  resolver's IP address (or the EDNS0 client subnet) to a place; awskit has no IP geolocation
  database, so a client says where it is (``client_location``): a country code (``"FR"``), a
  subdivision (``"US-WA"``), a city from :data:`CITIES`, a Region code (a client inside that
  Region, e.g. an EC2 instance), or a ``(latitude, longitude)`` pair (a place Route 53 cannot
  map to a country: only the default ``*`` geolocation record matches it).
- Latency routing answers with the Region of lowest latency from the client [BC
  route53:ResourceRecordSet.Region]. AWS measures latency; awskit models it: the round trip at
  two-thirds of the speed of light (200 km per ms in fibre) over a path 1.5 times the
  great-circle distance, plus 2 ms at each end (:func:`latency_ms`).
- Region coordinates are the approximate city or area AWS names for each Region.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

CONTINENTS = {"AF": "Africa", "AN": "Antarctica", "AS": "Asia", "EU": "Europe",
              "NA": "North America", "OC": "Oceania", "SA": "South America"}

#: Region -> (latitude, longitude, country, subdivision or None): the Regions awskit knows
#: plus the other Regions botocore allows for latency records.
REGION_PLACES = {
    "us-east-1": (39.0, -77.5, "US", "VA"), "us-east-2": (40.0, -83.0, "US", "OH"),
    "us-west-1": (37.8, -122.4, "US", "CA"), "us-west-2": (45.8, -119.7, "US", "OR"),
    "af-south-1": (-33.9, 18.4, "ZA", None), "ap-east-1": (22.3, 114.2, "HK", None),
    "ap-east-2": (25.0, 121.5, "TW", None), "ap-northeast-1": (35.7, 139.7, "JP", None),
    "ap-northeast-2": (37.6, 127.0, "KR", None), "ap-northeast-3": (34.7, 135.5, "JP", None),
    "ap-south-1": (19.1, 72.9, "IN", None), "ap-south-2": (17.4, 78.5, "IN", None),
    "ap-southeast-1": (1.35, 103.8, "SG", None), "ap-southeast-2": (-33.9, 151.2, "AU", None),
    "ap-southeast-3": (-6.2, 106.8, "ID", None), "ap-southeast-4": (-37.8, 145.0, "AU", None),
    "ap-southeast-5": (3.1, 101.7, "MY", None), "ap-southeast-6": (-36.8, 174.8, "NZ", None),
    "ap-southeast-7": (13.8, 100.5, "TH", None), "ca-central-1": (45.5, -73.6, "CA", None),
    "ca-west-1": (51.0, -114.1, "CA", None), "eu-central-1": (50.1, 8.7, "DE", None),
    "eu-central-2": (47.4, 8.5, "CH", None), "eu-north-1": (59.3, 18.1, "SE", None),
    "eu-south-1": (45.5, 9.2, "IT", None), "eu-south-2": (41.6, -0.9, "ES", None),
    "eu-west-1": (53.3, -6.3, "IE", None), "eu-west-2": (51.5, -0.1, "GB", None),
    "eu-west-3": (48.9, 2.4, "FR", None), "il-central-1": (32.1, 34.8, "IL", None),
    "me-central-1": (25.2, 55.3, "AE", None), "me-south-1": (26.1, 50.6, "BH", None),
    "mx-central-1": (20.6, -100.4, "MX", None), "sa-east-1": (-23.5, -46.6, "BR", None),
    "cn-north-1": (39.9, 116.4, "CN", None), "cn-northwest-1": (37.5, 105.2, "CN", None),
    "us-gov-west-1": (45.6, -121.2, "US", "OR"), "us-gov-east-1": (40.0, -83.0, "US", "OH"),
    "eusc-de-east-1": (52.4, 13.1, "DE", None),
}

# ISO 3166-1 alpha-2 code -> continent (Route 53 places each country on one continent).
_COUNTRY_CONTINENT = """
AD EU AE AS AF AS AG NA AI NA AL EU AM AS AO AF AQ AN AR SA AS OC AT EU AU OC AW NA AX EU AZ AS
BA EU BB NA BD AS BE EU BF AF BG EU BH AS BI AF BJ AF BL NA BM NA BN AS BO SA BQ NA BR SA BS NA
BT AS BV AN BW AF BY EU BZ NA CA NA CC AS CD AF CF AF CG AF CH EU CI AF CK OC CL SA CM AF CN AS
CO SA CR NA CU NA CV AF CW NA CX AS CY AS CZ EU DE EU DJ AF DK EU DM NA DO NA DZ AF EC SA EE EU
EG AF EH AF ER AF ES EU ET AF FI EU FJ OC FK SA FM OC FO EU FR EU GA AF GB EU GD NA GE AS GF SA
GG EU GH AF GI EU GL NA GM AF GN AF GP NA GQ AF GR EU GS AN GT NA GU OC GW AF GY SA HK AS HM AN
HN NA HR EU HT NA HU EU ID AS IE EU IL AS IM EU IN AS IO AS IQ AS IR AS IS EU IT EU JE EU JM NA
JO AS JP AS KE AF KG AS KH AS KI OC KM AF KN NA KP AS KR AS KW AS KY NA KZ AS LA AS LB AS LC NA
LI EU LK AS LR AF LS AF LT EU LU EU LV EU LY AF MA AF MC EU MD EU ME EU MF NA MG AF MH OC MK EU
ML AF MM AS MN AS MO AS MP OC MQ NA MR AF MS NA MT EU MU AF MV AS MW AF MX NA MY AS MZ AF NA AF
NC OC NE AF NF OC NG AF NI NA NL EU NO EU NP AS NR OC NU OC NZ OC OM AS PA NA PE SA PF OC PG OC
PH AS PK AS PL EU PM NA PN OC PR NA PS AS PT EU PW OC PY SA QA AS RE AF RO EU RS EU RU EU RW AF
SA AS SB OC SC AF SD AF SE EU SG AS SH AF SI EU SJ EU SK EU SL AF SM EU SN AF SO AF SR SA SS AF
ST AF SV NA SX NA SY AS SZ AF TC NA TD AF TF AN TG AF TH AS TJ AS TK OC TL AS TM AS TN AF TO OC
TR AS TT NA TV OC TW AS TZ AF UA EU UG AF UM OC US NA UY SA UZ AS VA EU VC NA VE SA VG NA VI NA
VN AS VU OC WF OC WS OC YE AS YT AF ZA AF ZM AF ZW AF
""".split()
COUNTRY_CONTINENT = dict(zip(_COUNTRY_CONTINENT[::2], _COUNTRY_CONTINENT[1::2]))

#: US states and DC, the subdivisions geolocation records accept for the US
US_STATES = set("""AK AL AR AZ CA CO CT DC DE FL GA HI IA ID IL IN KS KY LA MA MD ME MI MN MO MS
MT NC ND NE NH NJ NM NV NY OH OK OR PA RI SC SD TN TX UT VA VT WA WI WV WY""".split())

#: a representative point (capital or largest city) for the countries awskit places on the map;
#: other countries are placed at their continent's point in :data:`CONTINENT_POINTS`
COUNTRY_POINTS = {
    "US": (39.8, -98.6), "CA": (45.4, -75.7), "MX": (19.4, -99.1), "BR": (-23.5, -46.6),
    "AR": (-34.6, -58.4), "CL": (-33.4, -70.6), "CO": (4.7, -74.1), "PE": (-12.0, -77.0),
    "GB": (51.5, -0.1), "IE": (53.3, -6.3), "FR": (48.9, 2.4), "DE": (52.5, 13.4),
    "NL": (52.4, 4.9), "BE": (50.8, 4.4), "ES": (40.4, -3.7), "PT": (38.7, -9.1),
    "IT": (41.9, 12.5), "CH": (46.9, 7.4), "AT": (48.2, 16.4), "SE": (59.3, 18.1),
    "NO": (59.9, 10.7), "DK": (55.7, 12.6), "FI": (60.2, 24.9), "PL": (52.2, 21.0),
    "CZ": (50.1, 14.4), "GR": (38.0, 23.7), "RO": (44.4, 26.1), "UA": (50.5, 30.5),
    "RU": (55.8, 37.6), "TR": (41.0, 29.0), "IL": (32.1, 34.8), "AE": (25.2, 55.3),
    "SA": (24.7, 46.7), "BH": (26.1, 50.6), "EG": (30.0, 31.2), "NG": (6.5, 3.4),
    "KE": (-1.3, 36.8), "ZA": (-26.2, 28.0), "MA": (33.6, -7.6), "IN": (19.1, 72.9),
    "PK": (24.9, 67.0), "CN": (39.9, 116.4), "HK": (22.3, 114.2), "TW": (25.0, 121.5),
    "JP": (35.7, 139.7), "KR": (37.6, 127.0), "SG": (1.35, 103.8), "MY": (3.1, 101.7),
    "TH": (13.8, 100.5), "ID": (-6.2, 106.8), "PH": (14.6, 121.0), "VN": (21.0, 105.8),
    "AU": (-33.9, 151.2), "NZ": (-36.8, 174.8),
}
CONTINENT_POINTS = {"AF": (2.0, 21.0), "AN": (-80.0, 0.0), "AS": (34.0, 100.0),
                    "EU": (50.0, 10.0), "NA": (40.0, -100.0), "OC": (-25.0, 135.0),
                    "SA": (-15.0, -60.0)}
#: points for a few US states (latency inside the US); others use the US point
US_STATE_POINTS = {"CA": (36.8, -119.4), "WA": (47.6, -122.3), "OR": (45.5, -122.7),
                   "NY": (40.7, -74.0), "VA": (38.9, -77.4), "TX": (30.3, -97.7),
                   "IL": (41.9, -87.6), "FL": (25.8, -80.2), "OH": (40.0, -83.0),
                   "GA": (33.7, -84.4), "CO": (39.7, -105.0), "MA": (42.4, -71.1)}
#: city -> (country, subdivision or None, latitude, longitude)
CITIES = {
    "new york": ("US", "NY", 40.7, -74.0), "seattle": ("US", "WA", 47.6, -122.3),
    "san francisco": ("US", "CA", 37.8, -122.4), "los angeles": ("US", "CA", 34.1, -118.2),
    "chicago": ("US", "IL", 41.9, -87.6), "dallas": ("US", "TX", 32.8, -96.8),
    "miami": ("US", "FL", 25.8, -80.2), "toronto": ("CA", None, 43.7, -79.4),
    "mexico city": ("MX", None, 19.4, -99.1), "sao paulo": ("BR", None, -23.5, -46.6),
    "são paulo": ("BR", None, -23.5, -46.6), "buenos aires": ("AR", None, -34.6, -58.4),
    "london": ("GB", None, 51.5, -0.1), "dublin": ("IE", None, 53.3, -6.3),
    "paris": ("FR", None, 48.9, 2.4), "frankfurt": ("DE", None, 50.1, 8.7),
    "berlin": ("DE", None, 52.5, 13.4), "madrid": ("ES", None, 40.4, -3.7),
    "milan": ("IT", None, 45.5, 9.2), "stockholm": ("SE", None, 59.3, 18.1),
    "amsterdam": ("NL", None, 52.4, 4.9), "zurich": ("CH", None, 47.4, 8.5),
    "warsaw": ("PL", None, 52.2, 21.0), "moscow": ("RU", None, 55.8, 37.6),
    "istanbul": ("TR", None, 41.0, 29.0), "tel aviv": ("IL", None, 32.1, 34.8),
    "dubai": ("AE", None, 25.2, 55.3), "cairo": ("EG", None, 30.0, 31.2),
    "lagos": ("NG", None, 6.5, 3.4), "nairobi": ("KE", None, -1.3, 36.8),
    "johannesburg": ("ZA", None, -26.2, 28.0), "cape town": ("ZA", None, -33.9, 18.4),
    "mumbai": ("IN", None, 19.1, 72.9), "delhi": ("IN", None, 28.6, 77.2),
    "singapore": ("SG", None, 1.35, 103.8), "jakarta": ("ID", None, -6.2, 106.8),
    "hong kong": ("HK", None, 22.3, 114.2), "beijing": ("CN", None, 39.9, 116.4),
    "shanghai": ("CN", None, 31.2, 121.5), "tokyo": ("JP", None, 35.7, 139.7),
    "seoul": ("KR", None, 37.6, 127.0), "sydney": ("AU", None, -33.9, 151.2),
    "melbourne": ("AU", None, -37.8, 145.0), "auckland": ("NZ", None, -36.8, 174.8),
}


@dataclass(frozen=True)
class Location:
    """Where a client is: ``country``/``continent`` (None when unmapped), and a map point."""

    label: str
    lat: float
    lon: float
    country: str | None = None
    subdivision: str | None = None
    continent: str | None = None

    def __str__(self) -> str:
        where = "-".join(x for x in (self.country, self.subdivision) if x) or "unmapped"
        return f"{self.label} ({where}, {self.continent or 'no continent'})"


def _country_location(label: str, country: str, subdivision: str | None,
                      point: tuple[float, float] | None = None) -> Location:
    continent = COUNTRY_CONTINENT[country]
    if point is None:
        point = (US_STATE_POINTS.get(subdivision) if country == "US" and subdivision else None) \
            or COUNTRY_POINTS.get(country) or CONTINENT_POINTS[continent]
    return Location(label, point[0], point[1], country, subdivision, continent)


def locate(where) -> Location:
    """A :class:`Location` from what a caller says about a client (see the module docstring)."""
    if isinstance(where, (tuple, list)) and len(where) == 2:
        lat, lon = float(where[0]), float(where[1])
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError(f"not a latitude/longitude pair: {where!r}")
        return Location(f"({lat:g}, {lon:g})", lat, lon)
    if not isinstance(where, str) or not where.strip():
        raise ValueError(f"unknown client location {where!r}")
    text = where.strip()
    if text in REGION_PLACES:
        lat, lon, country, subdivision = REGION_PLACES[text]
        return _country_location(f"Region {text}", country, subdivision, (lat, lon))
    city = CITIES.get(text.lower())
    if city is not None:
        country, subdivision, lat, lon = city
        return _country_location(text, country, subdivision, (lat, lon))
    code = text.upper()
    country, _, subdivision = code.partition("-")
    if country in COUNTRY_CONTINENT and (not subdivision or country != "US" or
                                         subdivision in US_STATES):
        return _country_location(code, country, subdivision or None)
    raise ValueError(f"unknown client location {where!r}: give a country code ('FR'), a US state "
                     "('US-WA'), a city (" + ", ".join(sorted(CITIES)[:5]) + ", ...), a Region "
                     "code or a (latitude, longitude) pair")


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, Earth radius 6,371 km)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def latency_ms(location: Location, region: str) -> float:
    """Modelled round-trip time from ``location`` to ``region`` (see the module docstring)."""
    lat, lon = REGION_PLACES[region][:2]
    return round(4.0 + 2 * 1.5 * distance_km(location.lat, location.lon, lat, lon) / 200.0, 1)
