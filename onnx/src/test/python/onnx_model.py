"""Builds the small ONNX models the onnx module's tests, example and benchmark run, with the
`onnx` package (so no model file is ever downloaded). Weights come from a fixed seed, so every
process that builds or loads a model gets the same one.

    python onnx_model.py OUT KIND DTYPE SHAPE

KIND:
  mlp       frame (R, C) float32 -> scores (R, 10): softmax(relu(frame @ W1 + b1) @ W2 + b2)
  pool      frame (R, C) float32 -> scores (1, 10): softmax(mean(frame, axis=1) @ W + b); its cost
            grows with the frame only as fast as a copy of it does (the benchmark's model)
  identity  frame of any DTYPE and SHAPE -> out, the same values (type and byte checks)
  double    frame of a numeric DTYPE and SHAPE -> out = frame + frame
SHAPE is like 64x64; a ? leaves that dimension free (any size, as models with a batch axis do).
Prints the model's output shape, e.g. "64x10".
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
IR_VERSION = 8  # what ONNX Runtime 1.26 reads; onnx 1.23 would write a newer one by default
CLASSES = 10
HIDDEN = 32


def parse_shape(text):
    return [f"d{i}" if d == "?" else int(d) for i, d in enumerate(text.split("x"))]


def weights(seed, *shape):
    return (np.random.default_rng(seed).standard_normal(shape) / np.sqrt(shape[0])).astype(np.float32)


def mlp(shape):
    rows, cols = shape
    nodes = [
        helper.make_node("MatMul", ["frame", "W1"], ["h0"]),
        helper.make_node("Add", ["h0", "b1"], ["h1"]),
        helper.make_node("Relu", ["h1"], ["h"]),
        helper.make_node("MatMul", ["h", "W2"], ["l0"]),
        helper.make_node("Add", ["l0", "b2"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["scores"], axis=-1),
    ]
    init = [numpy_helper.from_array(weights(1, cols, HIDDEN), "W1"),
            numpy_helper.from_array(weights(2, HIDDEN), "b1"),
            numpy_helper.from_array(weights(3, HIDDEN, CLASSES), "W2"),
            numpy_helper.from_array(weights(4, CLASSES), "b2")]
    return nodes, init, TensorProto.FLOAT, [rows, CLASSES]


def pool(shape):
    rows, _ = shape
    if not isinstance(rows, int):
        raise SystemExit("the pool model needs a fixed row count")
    nodes = [
        helper.make_node("ReduceMean", ["frame"], ["m"], axes=[1], keepdims=0),
        helper.make_node("Reshape", ["m", "row"], ["r"]),
        helper.make_node("MatMul", ["r", "W"], ["l0"]),
        helper.make_node("Add", ["l0", "b"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["scores"], axis=-1),
    ]
    init = [numpy_helper.from_array(np.array([1, rows], dtype=np.int64), "row"),
            numpy_helper.from_array(weights(5, rows, CLASSES), "W"),
            numpy_helper.from_array(weights(6, CLASSES), "b")]
    return nodes, init, TensorProto.FLOAT, [1, CLASSES]


def elementwise(op, dtype, shape):
    inputs = ["frame"] if op == "Identity" else ["frame", "frame"]
    return [helper.make_node(op, inputs, ["out"])], [], dtype, list(shape)


def build(kind, dtype_name, shape):
    dtype = helper.np_dtype_to_tensor_dtype(np.dtype(dtype_name))
    if kind == "mlp":
        nodes, init, out_type, out_shape = mlp(shape)
    elif kind == "pool":
        nodes, init, out_type, out_shape = pool(shape)
    elif kind == "identity":
        nodes, init, out_type, out_shape = elementwise("Identity", dtype, shape)
    elif kind == "double":
        nodes, init, out_type, out_shape = elementwise("Add", dtype, shape)
    else:
        raise SystemExit(f"unknown model kind {kind!r}")
    output = nodes[-1].output[0]
    graph = helper.make_graph(nodes, kind, [helper.make_tensor_value_info("frame", dtype, shape)],
                              [helper.make_tensor_value_info(output, out_type, out_shape)], init)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="arrow-shm tests")
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model, full_check=True)
    return model, out_shape


def main(argv):
    out, kind, dtype_name, shape = argv[0], argv[1], argv[2], parse_shape(argv[3])
    model, out_shape = build(kind, dtype_name, shape)
    onnx.save(model, out)
    print("x".join(str(d) if isinstance(d, int) else "?" for d in out_shape), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
