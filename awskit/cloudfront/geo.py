"""Where CloudFront is: edge locations, regional edge caches, Origin Shield Regions, viewer
cities, and the distance and latency model every request's timing comes from.

**Edge locations** are named, as CloudFront names them in ``X-Amz-Cf-Pop`` and its logs, by
the three-letter IATA code of a nearby airport (CloudFront Functions' ``cf.edgeLocation.name``
is "the three-letter IATA code of the edge location") [CFDG general-helper-methods.md]. The
table below is a selection of real CloudFront edge cities (AWS's network had 600+ PoPs in 100+
cities in ~2024, facts: CloudFront); each stands for all the PoPs of its city, placed at its
airport. The number after the code in ``X-Amz-Cf-Pop`` (``FRA56-P5``) names one PoP; awskit
shows one illustrative number per city.

**Regional edge caches** (RECs) sit in AWS Regions; Origin Shield is offered exactly in the
Regions that have one, which CFDG origin-shield.md lists (12 Regions, below), with the Region to
pick for origins elsewhere (:data:`SHIELD_FOR_REGION`). Which REC an edge location uses is not
published per PoP: awskit sends each edge to its nearest REC (a simplification).

**Price classes** [facts: CloudFront; BC cloudfront:PriceClass]: ``PriceClass_100`` serves from
North America and Europe (Israel included), ``PriceClass_200`` adds Asia, the Middle East and
Africa, ``PriceClass_All`` every edge (South America and Oceania too).

**The latency model** (awskit's teaching model, not measurements):

- distance: great-circle (haversine) distance between two places, Earth radius 6,371 km;
- propagation: light in optical fibre covers about 200 km per millisecond (two thirds of c);
  real routes are longer than great circles, so awskit stretches every path by
  :data:`ROUTE_STRETCH` (1.5);
- a one-way network leg takes ``distance × 1.5 / 200`` ms plus :data:`HOP_MS`; a viewer's leg
  adds :data:`LAST_MILE_MS` for the access network;
- transferring a body to the viewer takes ``size / VIEWER_MBPS``; inside AWS's network
  transfer time is left out.

DNS routes a viewer to "the edge location that can best serve the user's request, typically
the nearest in terms of latency" [CFDG HowCloudFrontWorks.md]; awskit picks the nearest edge by
distance among the distribution's price class.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0
FIBRE_KM_PER_MS = 200.0
ROUTE_STRETCH = 1.5
HOP_MS = 0.5
LAST_MILE_MS = 5.0
VIEWER_MBPS = 100.0            # viewer bandwidth, megabits per second

_CONTINENT_CLASS = {"North America": "PriceClass_100", "Europe": "PriceClass_100",
                    "Asia": "PriceClass_200", "Middle East": "PriceClass_200",
                    "Africa": "PriceClass_200", "South America": "PriceClass_All",
                    "Oceania": "PriceClass_All"}
_CLASS_RANK = {"PriceClass_100": 0, "PriceClass_200": 1, "PriceClass_All": 2, "None": 2}


@dataclass(frozen=True)
class Place:
    """A city on the map: ``code`` is its IATA-style code (edge locations) or ``""``."""

    name: str
    country: str              # ISO 3166-1 alpha-2 (the codes geo restrictions use)
    continent: str
    lat: float
    lon: float
    code: str = ""
    pop: int = 0              # illustrative PoP number shown in X-Amz-Cf-Pop

    @property
    def price_class(self) -> str:
        """The smallest price class whose edges include this one."""
        return _CONTINENT_CLASS[self.continent]

    def pop_id(self) -> str:
        return f"{self.code}{self.pop}-C1"


def _place(code, name, country, continent, lat, lon, pop=50):
    return Place(name, country, continent, lat, lon, code, pop)


#: Edge locations (a selection of real CloudFront edge cities, by airport code).
EDGE_LOCATIONS: dict[str, Place] = {p.code: p for p in [
    _place("IAD", "Ashburn", "US", "North America", 38.94, -77.46, 89),
    _place("JFK", "New York", "US", "North America", 40.64, -73.78, 51),
    _place("ORD", "Chicago", "US", "North America", 41.98, -87.90, 52),
    _place("ATL", "Atlanta", "US", "North America", 33.64, -84.43, 56),
    _place("MIA", "Miami", "US", "North America", 25.79, -80.29, 50),
    _place("DFW", "Dallas", "US", "North America", 32.90, -97.04, 53),
    _place("DEN", "Denver", "US", "North America", 39.86, -104.67, 52),
    _place("LAX", "Los Angeles", "US", "North America", 33.94, -118.41, 50),
    _place("SFO", "San Francisco", "US", "North America", 37.62, -122.38, 53),
    _place("SEA", "Seattle", "US", "North America", 47.45, -122.31, 19),
    _place("YTO", "Toronto", "CA", "North America", 43.68, -79.63, 50),
    _place("YUL", "Montreal", "CA", "North America", 45.47, -73.74, 62),
    _place("YVR", "Vancouver", "CA", "North America", 49.19, -123.18, 52),
    _place("MEX", "Mexico City", "MX", "North America", 19.44, -99.07, 50),
    _place("LHR", "London", "GB", "Europe", 51.47, -0.45, 61),
    _place("DUB", "Dublin", "IE", "Europe", 53.42, -6.27, 56),
    _place("CDG", "Paris", "FR", "Europe", 49.01, 2.55, 50),
    _place("MRS", "Marseille", "FR", "Europe", 43.44, 5.22, 52),
    _place("FRA", "Frankfurt", "DE", "Europe", 50.04, 8.56, 56),
    _place("AMS", "Amsterdam", "NL", "Europe", 52.31, 4.76, 54),
    _place("MAD", "Madrid", "ES", "Europe", 40.47, -3.57, 56),
    _place("MXP", "Milan", "IT", "Europe", 45.63, 8.72, 64),
    _place("ZRH", "Zurich", "CH", "Europe", 47.46, 8.55, 52),
    _place("VIE", "Vienna", "AT", "Europe", 48.11, 16.57, 50),
    _place("WAW", "Warsaw", "PL", "Europe", 52.17, 20.97, 51),
    _place("ARN", "Stockholm", "SE", "Europe", 59.65, 17.92, 56),
    _place("HEL", "Helsinki", "FI", "Europe", 60.32, 24.96, 50),
    _place("TLV", "Tel Aviv", "IL", "Europe", 32.01, 34.89, 50),
    _place("DXB", "Dubai", "AE", "Middle East", 25.25, 55.36, 56),
    _place("BAH", "Manama", "BH", "Middle East", 26.27, 50.63, 53),
    _place("JNB", "Johannesburg", "ZA", "Africa", -26.14, 28.25, 50),
    _place("CPT", "Cape Town", "ZA", "Africa", -33.97, 18.60, 50),
    _place("NBO", "Nairobi", "KE", "Africa", -1.32, 36.93, 50),
    _place("LOS", "Lagos", "NG", "Africa", 6.58, 3.32, 50),
    _place("BOM", "Mumbai", "IN", "Asia", 19.09, 72.87, 78),
    _place("DEL", "New Delhi", "IN", "Asia", 28.56, 77.10, 54),
    _place("MAA", "Chennai", "IN", "Asia", 12.99, 80.17, 51),
    _place("SIN", "Singapore", "SG", "Asia", 1.36, 103.99, 52),
    _place("KUL", "Kuala Lumpur", "MY", "Asia", 2.75, 101.71, 50),
    _place("BKK", "Bangkok", "TH", "Asia", 13.69, 100.75, 50),
    _place("CGK", "Jakarta", "ID", "Asia", -6.13, 106.66, 50),
    _place("MNL", "Manila", "PH", "Asia", 14.51, 121.02, 50),
    _place("HKG", "Hong Kong", "HK", "Asia", 22.31, 113.92, 62),
    _place("TPE", "Taipei", "TW", "Asia", 25.08, 121.23, 51),
    _place("ICN", "Seoul", "KR", "Asia", 37.46, 126.44, 57),
    _place("NRT", "Tokyo", "JP", "Asia", 35.77, 140.39, 57),
    _place("KIX", "Osaka", "JP", "Asia", 34.43, 135.24, 50),
    _place("GRU", "Sao Paulo", "BR", "South America", -23.44, -46.47, 50),
    _place("GIG", "Rio de Janeiro", "BR", "South America", -22.81, -43.25, 51),
    _place("EZE", "Buenos Aires", "AR", "South America", -34.82, -58.54, 50),
    _place("SCL", "Santiago", "CL", "South America", -33.39, -70.79, 50),
    _place("BOG", "Bogota", "CO", "South America", 4.70, -74.15, 50),
    _place("SYD", "Sydney", "AU", "Oceania", -33.95, 151.18, 62),
    _place("MEL", "Melbourne", "AU", "Oceania", -37.67, 144.84, 50),
    _place("PER", "Perth", "AU", "Oceania", -31.94, 115.97, 50),
    _place("AKL", "Auckland", "NZ", "Oceania", -37.01, 174.79, 50),
]}

#: Where each AWS Region is (its city); the REC and Origin Shield of a Region sit there.
REGION_PLACES: dict[str, Place] = {code: Place(name, country, continent, lat, lon)
                                   for code, name, country, continent, lat, lon in [
    ("us-east-1", "Northern Virginia", "US", "North America", 39.04, -77.49),
    ("us-east-2", "Ohio", "US", "North America", 39.96, -83.00),
    ("us-west-1", "Northern California", "US", "North America", 37.77, -122.42),
    ("us-west-2", "Oregon", "US", "North America", 45.84, -119.70),
    ("af-south-1", "Cape Town", "ZA", "Africa", -33.92, 18.42),
    ("ap-east-1", "Hong Kong", "HK", "Asia", 22.32, 114.17),
    ("ap-east-2", "Taipei", "TW", "Asia", 25.03, 121.57),
    ("ap-northeast-1", "Tokyo", "JP", "Asia", 35.68, 139.69),
    ("ap-northeast-2", "Seoul", "KR", "Asia", 37.57, 126.98),
    ("ap-northeast-3", "Osaka", "JP", "Asia", 34.69, 135.50),
    ("ap-south-1", "Mumbai", "IN", "Asia", 19.08, 72.88),
    ("ap-south-2", "Hyderabad", "IN", "Asia", 17.39, 78.49),
    ("ap-southeast-1", "Singapore", "SG", "Asia", 1.35, 103.82),
    ("ap-southeast-2", "Sydney", "AU", "Oceania", -33.87, 151.21),
    ("ap-southeast-3", "Jakarta", "ID", "Asia", -6.21, 106.85),
    ("ap-southeast-4", "Melbourne", "AU", "Oceania", -37.81, 144.96),
    ("ap-southeast-5", "Kuala Lumpur", "MY", "Asia", 3.14, 101.69),
    ("ap-southeast-6", "Auckland", "NZ", "Oceania", -36.85, 174.76),
    ("ap-southeast-7", "Bangkok", "TH", "Asia", 13.76, 100.50),
    ("ca-central-1", "Montreal", "CA", "North America", 45.50, -73.57),
    ("ca-west-1", "Calgary", "CA", "North America", 51.05, -114.07),
    ("eu-central-1", "Frankfurt", "DE", "Europe", 50.11, 8.68),
    ("eu-central-2", "Zurich", "CH", "Europe", 47.38, 8.54),
    ("eu-north-1", "Stockholm", "SE", "Europe", 59.33, 18.07),
    ("eu-south-1", "Milan", "IT", "Europe", 45.46, 9.19),
    ("eu-south-2", "Aragon", "ES", "Europe", 41.65, -0.88),
    ("eu-west-1", "Dublin", "IE", "Europe", 53.35, -6.26),
    ("eu-west-2", "London", "GB", "Europe", 51.51, -0.13),
    ("eu-west-3", "Paris", "FR", "Europe", 48.86, 2.35),
    ("il-central-1", "Tel Aviv", "IL", "Europe", 32.09, 34.78),
    ("me-central-1", "Dubai", "AE", "Middle East", 25.20, 55.27),
    ("me-south-1", "Manama", "BH", "Middle East", 26.23, 50.59),
    ("mx-central-1", "Queretaro", "MX", "North America", 20.59, -100.39),
    ("sa-east-1", "Sao Paulo", "BR", "South America", -23.55, -46.63),
]}

#: Regions with a regional edge cache, where Origin Shield is offered [CFDG origin-shield.md].
SHIELD_REGIONS = ("us-east-2", "us-east-1", "us-west-2", "ap-south-1", "ap-northeast-2",
                  "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "eu-central-1",
                  "eu-west-1", "eu-west-2", "sa-east-1")
REC_REGIONS = SHIELD_REGIONS

#: For an origin in a Region without Origin Shield, the Region AWS recommends instead
#: [CFDG origin-shield.md, "Choosing the AWS Region for Origin Shield"].
SHIELD_FOR_REGION = {"us-west-1": "us-west-2", "af-south-1": "eu-west-1",
                     "ap-east-1": "ap-southeast-1", "ca-central-1": "us-east-1",
                     "eu-south-1": "eu-central-1", "eu-west-3": "eu-west-2",
                     "eu-north-1": "eu-west-2", "me-south-1": "ap-south-1"}

#: Viewer cities besides the edge cities (a viewer may also give ``(lat, lon)``).
_VIEWER_CITIES = [Place(*row) for row in [
    ("Boston", "US", "North America", 42.36, -71.06),
    ("Houston", "US", "North America", 29.76, -95.37),
    ("Lisbon", "PT", "Europe", 38.72, -9.14),
    ("Berlin", "DE", "Europe", 52.52, 13.40),
    ("Rome", "IT", "Europe", 41.90, 12.50),
    ("Istanbul", "TR", "Europe", 41.01, 28.98),
    ("Cairo", "EG", "Africa", 30.04, 31.24),
    ("Beijing", "CN", "Asia", 39.90, 116.41),
    ("Honolulu", "US", "North America", 21.31, -157.86),
    ("Lima", "PE", "South America", -12.05, -77.04),
]]
CITIES: dict[str, Place] = {p.name.lower(): p for p in
                            [*EDGE_LOCATIONS.values(), *_VIEWER_CITIES]}


def city(where) -> Place:
    """A viewer's place: a city name (any of :data:`CITIES`, any case), an edge code, a Region
    code, or a ``(lat, lon)`` pair. ``ValueError`` for anything else."""
    if isinstance(where, Place):
        return where
    if isinstance(where, (tuple, list)) and len(where) == 2:
        lat, lon = float(where[0]), float(where[1])
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError(f"({lat}, {lon}) is not a latitude and longitude")
        return Place(f"({lat:.2f}, {lon:.2f})", "", "", lat, lon)
    if isinstance(where, str):
        found = CITIES.get(where.lower()) or EDGE_LOCATIONS.get(where.upper()) \
            or REGION_PLACES.get(where.lower())
        if found is not None:
            return found
    raise ValueError(f"unknown viewer city {where!r}; use one of "
                     f"{', '.join(sorted(p.name for p in CITIES.values()))}, an edge code "
                     "(IAD, FRA, ...), a Region code or a (lat, lon) pair")


def distance_km(a: Place, b: Place) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def one_way_ms(a: Place, b: Place) -> float:
    """One-way network latency between two places (model in the module docstring), to the µs."""
    return round(distance_km(a, b) * ROUTE_STRETCH / FIBRE_KM_PER_MS + HOP_MS, 3)


def transfer_ms(size: int) -> float:
    """Time to send ``size`` bytes to a viewer at :data:`VIEWER_MBPS`."""
    return round(size * 8 / (VIEWER_MBPS * 1000), 3)


def edges_for(price_class: str) -> list[Place]:
    """The edge locations a distribution of ``price_class`` serves from."""
    rank = _CLASS_RANK.get(price_class, 2)
    return [p for p in EDGE_LOCATIONS.values() if _CLASS_RANK[p.price_class] <= rank]


def nearest_edge(viewer: Place, price_class: str) -> Place:
    """The edge location DNS sends ``viewer`` to (nearest by distance; ties by code)."""
    return min(edges_for(price_class), key=lambda e: (distance_km(viewer, e), e.code))


def rec_for(edge: Place) -> str:
    """The Region of the regional edge cache an edge location forwards misses to (nearest)."""
    return min(REC_REGIONS, key=lambda r: (distance_km(edge, REGION_PLACES[r]), r))


def recommended_shield_region(origin_region: str) -> str:
    """The Origin Shield Region AWS recommends for an origin in ``origin_region``."""
    if origin_region in SHIELD_REGIONS:
        return origin_region
    if origin_region in SHIELD_FOR_REGION:
        return SHIELD_FOR_REGION[origin_region]
    place = REGION_PLACES[origin_region]
    return min(SHIELD_REGIONS, key=lambda r: (distance_km(place, REGION_PLACES[r]), r))
