"""The TravelTimes port: straight-line values, and OSRM on the Monaco extract built once per session."""

from __future__ import annotations

import json
import math
import threading
from pathlib import Path

import pytest

from comptoir.delivery.planner.roads import (
    ROAD_DATA_ATTRIBUTION,
    RoadGraphBuildError,
    UnknownProfile,
    build_road_graph,
)
from comptoir.delivery.planner.travel import (
    EARTH_RADIUS_M,
    OsrmTravelTimes,
    Point,
    PointOffRoad,
    RoadGraphMissing,
    StraightLineTravelTimes,
    Unreachable,
    haversine_m,
    travel_times_for,
)

# tests/delivery/planner/test_travel.py -> parents[3] is the project root, beside /work/shared.
MONACO_PBF = Path(__file__).resolve().parents[3].parent / "shared" / "bench" / "osm" / "monaco.osm.pbf"

CASINO = Point(43.7396, 7.4276)  # Monte-Carlo Casino
PORT = Point(43.7349, 7.4233)  # Port Hercule
PALACE = Point(43.7314, 7.4197)  # Prince's Palace, on the Rock
STADIUM = Point(43.7282, 7.4149)  # beside Stade Louis II, Fontvieille
LARVOTTO = Point(43.7468, 7.4335)  # avenue Princesse Grace, Larvotto
MONACO = [CASINO, PORT, PALACE, STADIUM, LARVOTTO]
OPEN_SEA = Point(43.70, 7.45)  # 3.7 km south of the coast

# Metres per degree of latitude on the haversine sphere: moving this much north is exactly 1 km.
ONE_KM_NORTH = 1000.0 / EARTH_RADIUS_M * 180.0 / math.pi


# --- straight line -------------------------------------------------------------------------


def test_straight_line_one_km_north_is_exact():
    a = Point(45.0, 5.0)
    b = Point(45.0 + ONE_KM_NORTH, 5.0)
    matrix = StraightLineTravelTimes().matrix([a, b], "bicycle")

    assert matrix.distances[0][1] == pytest.approx(1300.0, abs=1e-6)  # 1 km × 1.3
    assert matrix.durations[0][1] == pytest.approx(312.0, abs=1e-6)  # 1300 m at 15 km/h
    assert matrix.distances[1][0] == matrix.distances[0][1]
    assert matrix.durations == [[0.0, matrix.durations[0][1]], [matrix.durations[0][1], 0.0]]
    assert matrix.snapped == [a, b]
    assert matrix.snap_distances == [0.0, 0.0]
    assert matrix.method == "straight_line"


def test_straight_line_speed_per_profile_and_custom_detour():
    a, b = Point(45.0, 5.0), Point(45.0 + ONE_KM_NORTH, 5.0)
    travel = StraightLineTravelTimes(detour_factor=1.5, speeds_kmh={"car": 30.0, "foot": 4.5})

    car = travel.matrix([a, b], "car")
    foot = travel.matrix([a, b], "foot")

    assert car.distances[0][1] == pytest.approx(1500.0, abs=1e-6)
    assert car.durations[0][1] == pytest.approx(180.0, abs=1e-6)  # 1500 m at 30 km/h
    assert foot.durations[0][1] == pytest.approx(1200.0, abs=1e-6)  # 1500 m at 4.5 km/h
    with pytest.raises(UnknownProfile):
        travel.matrix([a, b], "bicycle")  # no speed configured for it


def test_haversine_along_the_equator_and_across_longitudes():
    assert haversine_m(Point(0.0, 0.0), Point(0.0, 1.0)) == pytest.approx(111_195.080, abs=1e-3)
    # Paris Notre-Dame to Lyon Bellecour, 391.5 km as the crow flies.
    assert haversine_m(Point(48.8530, 2.3499), Point(45.7578, 4.8320)) == pytest.approx(391_500, abs=500)


def test_straight_line_empty_and_single_point():
    travel = StraightLineTravelTimes()
    assert travel.matrix([], "car").durations == []
    assert travel.matrix([CASINO], "car").distances == [[0.0]]


def test_invalid_inputs_are_refused():
    with pytest.raises(ValueError, match="latitude"):
        Point(91.0, 0.0)
    with pytest.raises(ValueError, match="longitude"):
        Point(0.0, math.nan)
    with pytest.raises(ValueError, match="detour"):
        StraightLineTravelTimes(detour_factor=0.9)
    with pytest.raises(UnknownProfile, match="truck"):
        StraightLineTravelTimes().matrix([CASINO], "truck")


# --- OSRM on Monaco --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def monaco_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not MONACO_PBF.is_file():
        pytest.skip(f"shared OSM extract missing: {MONACO_PBF}")
    data_dir = tmp_path_factory.mktemp("monaco-data")
    build_road_graph(MONACO_PBF, data_dir, profiles=("bicycle", "car"))
    return data_dir


@pytest.fixture(scope="session")
def monaco(monaco_data_dir: Path) -> OsrmTravelTimes:
    return OsrmTravelTimes(monaco_data_dir / "roads")


@pytest.mark.parametrize("profile", ["bicycle", "car"])
def test_road_matrix_is_square_zero_on_diagonal_positive_elsewhere(monaco, profile):
    matrix = monaco.matrix(MONACO, profile)

    n = len(MONACO)
    assert matrix.method == "road"
    assert [len(row) for row in matrix.durations] == [n] * n
    assert [len(row) for row in matrix.distances] == [n] * n
    assert len(matrix.snapped) == len(matrix.snap_distances) == n
    for i in range(n):
        assert matrix.durations[i][i] == 0.0
        assert matrix.distances[i][i] == 0.0
        for j in range(n):
            if i != j:
                assert matrix.durations[i][j] > 0.0
                assert matrix.distances[i][j] > 0.0


@pytest.mark.parametrize("profile", ["bicycle", "car"])
def test_road_distance_is_never_shorter_than_straight_line(monaco, profile):
    matrix = monaco.matrix(MONACO, profile)

    for i, a in enumerate(matrix.snapped):
        for j, b in enumerate(matrix.snapped):
            # OSRM measures on a slightly larger sphere (6,372,797 m) and rounds to 0.1 m,
            # and snapped positions are rounded to 1e-6°: allow 0.1 % plus 1 m, no more.
            assert matrix.distances[i][j] >= haversine_m(a, b) * 0.999 - 1.0


def test_every_point_is_snapped_close_to_where_it_was(monaco):
    matrix = monaco.matrix(MONACO, "car")

    assert all(d < 10.0 for d in matrix.snap_distances)
    for point, snapped, distance in zip(MONACO, matrix.snapped, matrix.snap_distances, strict=True):
        assert haversine_m(point, snapped) == pytest.approx(distance, abs=1.0)


def test_casino_to_port_hercule_by_van_and_by_cargo_bike(monaco):
    car = monaco.matrix([CASINO, PORT], "car")
    bike = monaco.matrix([CASINO, PORT], "bicycle")

    # First measured run (OSM snapshot of 2016-03-05, osrm-bindings 26.10): car 1811.0 m in
    # 224.1 s, cargo bike 1813.2 m in 474.4 s; 626 m as the crow flies. The data is frozen,
    # so only a new OSRM profile can move these: ±10 % lets the route shift by a block,
    # while staying far above the straight line (626 m, 814 m with the 1.3 detour) and the
    # 1111 m footpath route, so it proves the one-way street network is used.
    assert 1630 <= car.distances[0][1] <= 1990
    assert 200 <= car.durations[0][1] <= 250
    assert 1630 <= bike.distances[0][1] <= 1990
    assert 425 <= bike.durations[0][1] <= 525
    # One-way streets: the way back is not the way there (1631.5 m by van).
    assert car.distances[1][0] != car.distances[0][1]


def test_cargo_bike_and_van_take_different_times(monaco):
    car = monaco.matrix(MONACO, "car")
    bike = monaco.matrix(MONACO, "bicycle")

    off_diagonal = [(i, j) for i in range(len(MONACO)) for j in range(len(MONACO)) if i != j]
    assert all(bike.durations[i][j] != car.durations[i][j] for i, j in off_diagonal)
    assert sum(bike.durations[i][j] for i, j in off_diagonal) > sum(
        car.durations[i][j] for i, j in off_diagonal
    )


def test_point_in_the_sea_is_off_road(monaco):
    with pytest.raises(PointOffRoad) as raised:
        monaco.matrix([CASINO, PORT, OPEN_SEA], "bicycle")

    assert raised.value.index == 2
    assert 3000 < raised.value.distance_m < 4500
    assert "point 2" in str(raised.value)


def test_snap_limit_is_configurable(monaco_data_dir):
    strict = OsrmTravelTimes(monaco_data_dir / "roads", max_snap_m=0.1)
    with pytest.raises(PointOffRoad) as raised:
        strict.matrix([CASINO, PORT], "car")
    assert raised.value.index == 0


def test_single_point_and_no_point(monaco):
    single = monaco.matrix([CASINO], "car")
    assert single.durations == [[0.0]]
    assert single.distances == [[0.0]]
    assert len(single.snapped) == 1
    assert monaco.matrix([], "car").durations == []


def test_missing_profile_graph_says_how_to_build_it(monaco):
    with pytest.raises(RoadGraphMissing, match="comptoir roads import"):
        monaco.matrix([CASINO, PORT], "foot")


def test_concurrent_matrices_match_the_serial_one(monaco):
    expected = monaco.matrix(MONACO, "bicycle").durations
    results: list[list[list[float]]] = []

    def work() -> None:
        results.append(monaco.matrix(MONACO, "bicycle").durations)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 8


def test_factory_uses_roads_where_a_graph_exists_and_straight_lines_elsewhere(monaco_data_dir):
    travel = travel_times_for(monaco_data_dir)

    assert travel.matrix([CASINO, PORT], "car").method == "road"
    assert travel.matrix([CASINO, PORT], "bicycle").method == "road"
    foot = travel.matrix([CASINO, PORT], "foot")
    assert foot.method == "straight_line"
    assert foot.durations[0][1] == pytest.approx(haversine_m(CASINO, PORT) * 1.3 / (5 / 3.6))


def test_factory_without_any_graph_is_straight_line(tmp_path):
    assert travel_times_for(tmp_path).matrix([CASINO, PORT], "car").method == "straight_line"


# --- graph import ----------------------------------------------------------------------------


def test_import_writes_a_manifest_with_the_attribution(monaco_data_dir):
    manifest = json.loads((monaco_data_dir / "roads" / "car" / "graph.json").read_text())

    assert manifest["profile"] == "car"
    assert manifest["source"] == "monaco.osm.pbf"
    assert manifest["attribution"] == ROAD_DATA_ATTRIBUTION == "Road data © OpenStreetMap contributors, ODbL"


ISLANDS_OSM = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="comptoir tests">
  <node id="1" lat="45.0000" lon="5.0000" version="1"/>
  <node id="2" lat="45.0000" lon="5.0100" version="1"/>
  <node id="3" lat="45.0500" lon="5.0000" version="1"/>
  <node id="4" lat="45.0500" lon="5.0100" version="1"/>
  <way id="10" version="1"><nd ref="1"/><nd ref="2"/><tag k="highway" v="residential"/></way>
  <way id="11" version="1"><nd ref="3"/><nd ref="4"/><tag k="highway" v="residential"/></way>
</osm>
"""


def test_two_unconnected_streets_are_unreachable_from_each_other(tmp_path):
    source = tmp_path / "islands.osm"
    source.write_text(ISLANDS_OSM)
    figures = build_road_graph(source, tmp_path / "data", profiles=("car",))
    travel = OsrmTravelTimes(tmp_path / "data" / "roads")

    west, east = Point(45.0, 5.002), Point(45.0, 5.008)
    same_street = travel.matrix([west, east], "car")
    with pytest.raises(Unreachable) as raised:
        travel.matrix([west, east, Point(45.05, 5.005)], "car")

    assert same_street.distances[0][1] == pytest.approx(
        haversine_m(Point(45.0, 5.002), Point(45.0, 5.008)), rel=0.01
    )
    assert raised.value.pairs == [(0, 2), (1, 2), (2, 0), (2, 1)]
    assert "point 0 to point 2" in str(raised.value)
    assert set(figures["profiles"]) == {"car"}
    assert figures["profiles"]["car"]["bytes"] > 0


def test_reimport_replaces_the_graph_and_a_failed_one_keeps_it(tmp_path):
    source = tmp_path / "islands.osm"
    source.write_text(ISLANDS_OSM)
    data = tmp_path / "data"
    build_road_graph(source, data, profiles=("car",))
    travel = OsrmTravelTimes(data / "roads")
    before = travel.matrix([Point(45.0, 5.002), Point(45.0, 5.008)], "car")

    build_road_graph(source, data, profiles=("car",))
    garbage = tmp_path / "broken.osm.pbf"
    garbage.write_bytes(b"this is not a protocol buffer")
    with pytest.raises(RoadGraphBuildError, match="osrm extract failed"):
        build_road_graph(garbage, data, profiles=("car",))

    assert travel.matrix([Point(45.0, 5.002), Point(45.0, 5.008)], "car") == before
    assert sorted(p.name for p in (data / "roads").iterdir()) == ["car"]  # no temporary left behind


def test_import_refuses_missing_or_misnamed_files_and_unknown_profiles(tmp_path):
    with pytest.raises(RoadGraphBuildError, match="no such file"):
        build_road_graph(tmp_path / "nowhere.osm.pbf", tmp_path)
    with pytest.raises(RoadGraphBuildError, match="expected an OpenStreetMap extract"):
        build_road_graph(tmp_path / "notes.txt", tmp_path)
    (tmp_path / "x.osm.pbf").write_bytes(b"")
    with pytest.raises(UnknownProfile):
        build_road_graph(tmp_path / "x.osm.pbf", tmp_path, profiles=("truck",))
    assert not (tmp_path / "roads").exists()
