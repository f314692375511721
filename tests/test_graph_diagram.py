import matplotlib

matplotlib.use("Agg")  # unit tests draw off screen; the notebooks use the inline backend

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from bp_lessons.autograd import Value, topological_order  # noqa: E402
from bp_lessons.graph_diagram import BOX, graph_diagram, graph_layout  # noqa: E402

pytestmark = pytest.mark.lesson11


@pytest.fixture
def ax():
    figure, ax = plt.subplots()
    yield ax
    plt.close(figure)


def skip_connection():
    x, w = Value(1.5), Value(0.8)
    h = (w * x).tanh()
    y = h + x
    L = y * y
    L.backward()
    return x, w, h, y, L


def test_a_box_per_value_an_operation_per_inner_value_and_an_arrow_per_input(ax):
    x, w, h, y, L = skip_connection()
    drawn = graph_diagram(ax, L, {x: "x", w: "w", L: "L"})
    nodes = topological_order(L)
    assert set(drawn["boxes"]) == set(nodes) and len(nodes) == 6
    assert set(drawn["ops"]) == {node for node in nodes if node._prev}
    edges = [(child, node) for node in nodes for child in node._prev]
    assert len(drawn["arrows"]) == len(drawn["labels"]) == len(edges) == 7  # y·y: two
    assert drawn["texts"][x].get_text() == f"x = 1.5\ngrad {x.grad:.4g}"
    assert drawn["texts"][h].get_text() == f"{h.data:.4g}\ngrad {h.grad:.4g}"  # no name
    labels = [label.get_text() for label in drawn["labels"]]
    local = [f"{g:.3g}" for node in nodes if node._prev for g in node._local_grads]
    assert sorted(labels) == sorted(local)


def test_every_value_stands_right_of_its_inputs_and_boxes_do_not_overlap():
    *_, L = skip_connection()
    positions = graph_layout(L)
    for node in positions:
        for child in node._prev:
            assert positions[child][0] < positions[node][0]
    boxes = list(positions.values())
    for i, (x0, y0) in enumerate(boxes):
        for x1, y1 in boxes[i + 1 :]:
            assert abs(x0 - x1) >= BOX[0] or abs(y0 - y1) >= BOX[1]


def test_a_value_used_twice_by_one_operation_gets_two_arrows_and_two_labels(ax):
    x = Value(3.0)
    square = x * x
    square.backward()
    drawn = graph_diagram(ax, square)
    assert len(drawn["arrows"]) == 2 and [t.get_text() for t in drawn["labels"]] == ["3", "3"]
    first, second = (label.get_position() for label in drawn["labels"])
    assert first != second
    assert drawn["texts"][x].get_text() == "3\ngrad 6"


def test_a_lone_value_is_one_box_and_labels_can_be_left_out(ax):
    drawn = graph_diagram(ax, Value(2.0))
    assert len(drawn["boxes"]) == 1 and not drawn["ops"] and not drawn["arrows"]
    x = Value(0.5)
    drawn = graph_diagram(ax, x.exp().log(), local_grads=False)
    assert len(drawn["arrows"]) == 2 and drawn["labels"] == []
