"""Write the alt text of every figure in the notebooks, or check that it is current.

    .venv/bin/python tools/alt_text.py           # write ALT below into the notebooks
    .venv/bin/python tools/alt_text.py --check   # exit 1 and name what is missing or stale

A code cell whose saved outputs hold an image (PNG or SVG) carries the text that describes it in
its metadata, {"mystnb": {"image": {"alt": "..."}}}: myst-nb (`make site`) writes it into the
alt attribute of the figure's <img>, and it travels with the notebook wherever it goes. The texts
live in ALT below, by notebook and cell id; a cell id survives re-running and editing a cell, so
a new figure needs a new entry, and a changed figure a new text. nbval compares outputs, not
metadata, so writing them changes no test. An exercise's figure gets its text in the source in
exercises/source/ too, from which the release writes the student copy, metadata and all.
"""

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ("image/png", "image/svg+xml")

ALT: dict[str, dict[str, str]] = {
    "notebooks/00_start_here.ipynb": {
        "3eea8db3": "Left: a line chart of the share of 360 validation digits the 64-30-10 network "
        "reads right after each of 10 epochs of training, rising from about 0.09, at the "
        "guessing line of 0.1, to about 0.54 after one epoch, 0.91 after three and 0.94 after "
        "ten. Right: a gallery of 8 by 8 pixel handwritten digits, the first 14 validation ones "
        "it reads right, each titled with its answer, then the first 7 it reads wrong, titled in "
        "red with its answer and the true digit, such as 'read as 4, is 9'.",
    },
    "notebooks/01_neuron.ipynb": {
        "ae3db6e2": "Three line charts of the activation a against z from -4 to 4. Left: sigmoid, "
        "an S-curve from 0 to 1 through 0.5 at z = 0, and tanh, a steeper S-curve from -1 to 1 "
        "through 0. Middle: ReLU, flat at 0 and then rising with slope 1; leaky ReLU, almost the "
        "same; and identity, the straight line a = z. Right, zoomed in below 0: ReLU stays at "
        "exactly 0 while leaky ReLU slopes gently down to -0.04 at z = -4.",
        "0dbc8ed6": "Six heat maps of a two-input neuron's output over the input plane from -2 "
        "to 2, blue for low and orange for high, each with its colour bar and a dashed line "
        "where z = 0. Sigmoid with weights 1, 1 and bias 0: a soft diagonal edge through the "
        "origin; with bias -1.5: the same edge moved up and right; with weights 4, 4 and bias "
        "-6: a sharper edge further out; with weights -1, 2: the line turned to rise to the "
        "right. Tanh: the same diagonal edge, from -1 to 1. ReLU: 0 on one side of the line, "
        "rising to 4 on the other.",
    },
    "notebooks/02_perceptron_xor.ipynb": {
        "c60704a3": "Two decision-boundary plots over the input square, one trained neuron "
        "each, blue where its output is below 0.5 and orange above. AND: the black boundary "
        "line cuts off the corner (1, 1), the only square labelled 1, from the three circles "
        "labelled 0; accuracy 1.00. OR: the line cuts off the corner (0, 0), the only circle, "
        "from the three squares; accuracy 1.00.",
        "d48cc609": "A line chart of the mean loss per epoch over 1000 epochs, on a log scale: "
        "AND and OR fall steadily, to about 0.003 and 0.0013, while XOR stays flat on the "
        "dotted line at 0.25, the loss of answering 0.5 to every input.",
        "08f2e4ce": "Left: the mean loss over 1000 epochs of training on XOR from five far "
        "random starts at learning rate 2.0; every curve drops fast from between 0.35 and 0.46 "
        "and then flattens at 0.25, the loss of answering 0.5 everywhere. Right: the decision "
        "boundary of seed 1, one straight line with (0, 0) on the blue side and the other three "
        "points on the orange side, so (1, 1) is wrong: accuracy 0.75.",
    },
    "notebooks/03_loss.ipynb": {
        "ac7cffe4": "Three copies of one curve, the loss L against the weight w0 from -3 to 3: "
        "about 0.49 on the left, falling to a minimum of 0 near w0 = 0.68, then rising to about "
        "0.09. Each panel marks one weight with its dashed tangent and an arrow for the way to "
        "move: at w0 = -1 the slope is -0.175, so increase w0; at 0.68 it is +0.002, almost "
        "flat; at 2 it is +0.031, so decrease w0.",
        "adf90512": "A log-log plot of the error of a numerical derivative against the step "
        "epsilon, from 0.1 down to 1e-12, the step shrinking to the right. The one-sided errors "
        "(dots) follow the line epsilon |L''| / 2 and the central errors (squares) the steeper "
        "line epsilon squared |L'''| / 6, until near 1e-8 and 1e-5, where both turn and rise "
        "along the dotted rounding line of about 1e-16 / epsilon. A vertical line marks "
        "numerical_gradient's default step 1e-5, near the lowest central error, about 1e-11.",
    },
    "notebooks/04_chain_rule.ipynb": {
        "aab09de0": "The slope of the sigmoid against z from -6 to 6. Ours, sigma(z)(1 - "
        "sigma(z)), is a bell curve peaking at 0.25 at z = 0, and the black dots of the "
        "numerically measured slope lie on it. The notes' version, z sigma(z)(1 - sigma(z)), "
        "dashed, is negative for z below 0, down to about -0.22, passes through 0 at z = 0, "
        "peaks at about 0.22 near z = 1.5, and meets the true slope only at z = 1.",
    },
    "notebooks/05_layer.ipynb": {
        "e9ae7300": "The loss L as the input i0 moves from -0.5 to 1.5, everything else fixed: "
        "a gently rising curve through the current point at i0 = 0.5. Three straight lines "
        "through that point show the slope each candidate predicts: the summed slope, 0.0064, "
        "follows the curve as its tangent; neuron 0's term alone, -0.0054, slopes the wrong "
        "way; overwriting, 0.0118, is too steep.",
    },
    "notebooks/06_mlp_forward.ipynb": {
        "20d2dfdd": "Two diagrams of the network MLP([2, 3, 1]): two input circles, three "
        "neurons in layer 1 and one output neuron, joined by a line per weight whose width "
        "shows its size and whose colour its sign, blue positive and orange negative. Left, "
        "the circles are named and the lines labelled w00 to w21. Right, the circles hold the "
        "values of the forward pass of the input (0.5, -1.0): 0.53, 0.54 and 0.39 in layer 1 "
        "and 0.63 at the output.",
        "e838067d": "Four contour maps of an untrained network's output over the input plane "
        "from -1 to 2, all on one colour scale from 0.36 to 0.68, with the four XOR points on "
        "top. MLP([2, 3, 1]) with seeds 0, 1 and 2 outputs only 0.57 to 0.67, 0.48 to 0.57 and "
        "0.51 to 0.59 over the whole plane, and the wider, deeper MLP([2, 16, 16, 1]) only 0.40 "
        "to 0.43, almost one flat colour: each surface nearly flat, far from separating the XOR "
        "classes.",
    },
    "notebooks/07_backpropagation.ipynb": {
        "c03": "Diagram of the forward pass through MLP([2, 3, 2, 1]): boxes for the inputs "
        "1.0 and -0.5, three neurons in layer 1, two in layer 2, one output neuron in layer 3 "
        "and the loss, joined by lines labelled with their weights. Each neuron's box shows its "
        "z and a: layer 1 a = 0.6981, 0.4804 and 0.3338; layer 2 a = 0.5872 and 0.5526; the "
        "output z = 1.2255 and a = 0.7730. The loss box shows L = 0.5976 for the label y = 0.",
        "c05": "The same network diagram with the two paths from the layer-1 activation a0(1) "
        "to the loss highlighted: one through neuron 0 of layer 2 and the output neuron (thick "
        "orange, product of its local slopes +0.0003), one through neuron 1 of layer 2 and the "
        "output neuron (blue, product -0.0662). The derivative of L with respect to a0(1) is "
        "their sum.",
        "c11": "Step 1 of the backward pass on the network diagram: only the output neuron and "
        "its two incoming lines are black, the rest faint. The output neuron shows dL/da = "
        "+1.5461, sigma'(z) = +0.1755 and delta = +0.2713; its two lines carry the weight "
        "gradients +0.1593 and +0.1499, the activation at their start times delta.",
        "c13": "Step 2 of the backward pass: the two neurons of layer 2 and the six lines into "
        "them are black, the output step before it grey. Layer 2's neurons show dL/da = +0.0717 "
        "and +0.5255, sigma'(z) = +0.2424 and +0.2472, and delta = +0.0174 and +0.1299; each "
        "line into them carries its gradient dL/dw, from +0.0058 to +0.0907.",
        "c15": "Step 3 of the backward pass: the three neurons of layer 1 and the six lines from "
        "the inputs are black, the steps before grey. Layer 1's neurons show dL/da = -0.0658, "
        "+0.2041 and -0.0555 and delta = -0.0139, +0.0509 and -0.0123; each line carries delta "
        "times its input, delta for the input 1.0 and minus half of it for -0.5; and the input "
        "boxes show dL/da = -0.0604 and -0.1066.",
    },
    "notebooks/08_sgd.ipynb": {
        "a67d1375": "Contour lines of the loss L(w, b) of a one-input linear neuron over the "
        "weight w from -1 to 3 and the bias b from -2 to 3: a long, narrow, tilted valley with "
        "its minimum, a star, near w = 0.83, b = 0.31. Green arrows of minus the gradient point "
        "downhill, longest on the valley's steep walls. The 30 steps of gradient descent at "
        "learning rate 0.1 start at (-0.5, 2), run down the wall across the contours, then turn "
        "and creep along the valley floor, stopping short of the minimum.",
        "20527a17": "The same contour map of L(w, b) with six thin blue arrows at the start "
        "(-0.5, 2), minus the gradient of each example's own loss: they differ in length and "
        "direction, each pointing at its own dotted line where that example's loss is zero, and "
        "the dotted lines cross near the minimum, a star. A thick vermillion arrow, their mean, "
        "the full gradient step, points to the right.",
        "5a84e8aa": "The same contour map with two paths of 30 epochs from (-0.5, 2) at "
        "learning rate 0.1: full-batch gradient descent, 30 vermillion steps, runs smoothly "
        "down the valley and stops short of the minimum; stochastic gradient descent with one "
        "example per step, 180 thin blue steps, zigzags around that path, reaches the minimum "
        "and keeps jittering in a small cloud around it.",
        "f76072a5": "Four panels, each the parabola L(w) = (w - 1) squared with eight steps of "
        "gradient descent from w = -1.5. Too small, learning rate 0.05, factor +0.90: small "
        "steps creep down the left side, still far from the minimum at w = 1. Right, 0.4, "
        "factor +0.20: the first step lands almost at the minimum. Too large, 0.9, factor "
        "-0.80: the steps jump across the valley from side to side, slowly closing in. "
        "Divergent, 1.05, factor -1.10: each jump lands higher than the last and leaves the "
        "plot.",
        "f87ecc9c": "Four log-scale plots of the loss on the data set over 300 epochs of "
        "training MLP([2, 3, 1]) at four learning rates. Too small, 0.01: slowly from 0.42 to "
        "0.25. Right, 0.2: a plateau, then a steady fall to 2.4e-6. Too large, 0.5: two sharp "
        "spikes, up to 4 near epoch 85 and up to 0.6 near epoch 122, then a fall to 0.0002. "
        "Divergent, 0.8: the loss climbs along a straight line on the log scale to 2.4e307 "
        "after epoch 216, where the curve ends; a cross at the top of the axis marks epoch 218, "
        "where training stops.",
        "e49356ca": "Left: the loss of the XOR data set over 2000 epochs at learning rate 2.0, "
        "full batch, on a log scale: one neuron [2, 1] stays flat at 0.25, while the MLP "
        "[2, 2, 1] sits on the same plateau for about 500 epochs, then falls to about 0.001. "
        "Right: the input plane of the trained single neuron, plain white with no boundary "
        "line, since it outputs 0.5 everywhere, with the four XOR points on top.",
        "5c6b6176": "Left: the trained MLP's output over the input plane: an orange diagonal "
        "band, output above 0.5, holding the two squares (0, 1) and (1, 0), between two "
        "parallel black boundary lines that lie along the dotted lines where each hidden "
        "neuron's z is 0; the circles (0, 0) and (1, 1) lie in the blue regions outside. Right: "
        "the four examples moved to the plane of the two hidden activations: (0, 1) and (1, 0) "
        "land on the same point near (0.1, 0.97), (0, 0) near (0, 0.07) and (1, 1) near "
        "(0.87, 1.0), and one straight black line separates the square from the two circles.",
    },
    "notebooks/09_mini_batch.ipynb": {
        "971c6c60": "A log-log plot of the root mean square distance between a mini-batch "
        "gradient and the full gradient against the batch size B, for N = 150 examples: the "
        "measured points fall from about 1.8 at B = 1 to about 0.16 at the largest batch "
        "shown, and lie on the predicted curve, the square root of sigma squared (N - B) over "
        "B (N - 1), nearly a straight line that bends down as B nears N.",
        "a80b8f08": "Two plots of the loss on the data set for batch sizes 1, 10 and 150, each "
        "at its own best learning rate, 0.05, 0.2 and 0.4. Per epoch, left, over 40 epochs: "
        "batch sizes 1 and 10 fall from about 0.5 to about 0.02 and 0.03, with bumps, while "
        "the full batch of 150 stays near 0.2. Per step, right, on log scales: the order "
        "reverses, and the full batch's 40 steps and batch size 10's 600 lower the loss more "
        "per step than batch size 1's 6000.",
        "3a4c003b": "A three-by-three grid of decision boundaries on two rings of points, "
        "orange squares inside a ring of blue circles. Rows: batch size 1 at learning rate "
        "0.05, 10 at 0.2 and 150 at 0.4; columns: epochs 2, 10 and 40. With batch size 1 the "
        "black 0.5 boundary is a closed loop around the inner ring by epoch 10; with batch size "
        "10 by epoch 40; the full batch, after only 40 steps in all, still draws a curve that "
        "cuts through both rings.",
    },
    "notebooks/10_vectorized_digits.ipynb": {
        "0bcda6aa": "A row of ten 8 by 8 pixel greyscale images, the first training example of "
        "each digit from 0 to 9, each titled with its label: blocky but readable handwritten "
        "digits.",
        "35d38dc4": "Left: the loss on the training set of the 64-30-10 sigmoid network, batch "
        "10, learning rate 22.6, over 20 epochs on a log scale, falling from about 0.25 to about "
        "0.002, with small bumps up at epochs 9, 14 and 16. Right: the share of digits "
        "classified right after each epoch, on the 1077 training digits and on the 360 "
        "validation digits never trained on: both climb from about 0.7 after epoch 1 to above "
        "0.93 by epoch 3; then the training accuracy keeps rising to about 0.99 while the "
        "validation accuracy creeps from about 0.93 to 0.96, with a dip to 0.93 at epoch 14, and "
        "a dotted line at epoch 19, the best on validation.",
        "bfd6e101": "A 10 by 10 confusion matrix of the test set, the true digit by row and the "
        "predicted digit by column, with 347 of the 360 test digits on the diagonal. The 13 "
        "errors are small counts off the diagonal: two 8s read as 3, the others once each, among "
        "them a 0 read as 5, a 1 read as 9, a 2 read as 1, a 6 read as 0 and another as 1, and "
        "8s read as 1 and 2.",
        "af576ce3": "A gallery of 12 of the 13 misclassified test digits as 8 by 8 pixel images, "
        "each titled with its true label, the network's answer and its largest output, such as "
        "'true 2, said 1 (output 0.66)' and 'true 7, said 4 (output 0.22)'; several are "
        "scrawls that a person could misread too.",
    },
    "notebooks/11_computational_graph.ipynb": {
        "8276dea0": "The computational graph of y = tanh(x w + b), drawn left to right: boxes "
        "for the Values x = 2, w = -3, b = 6.5, xw = -6, n = 0.5 and y = 0.4621, each with grad "
        "0; circles for the operations times, plus and tanh; and on each arrow its local "
        "derivative: -3 and 2 into the product, 1 and 1 into the sum, 0.786 into tanh.",
        "0c3bf5ff": "The same computational graph after y.backward(), each box now holding its "
        "gradient dy/d(Value): y 1, n 0.7864, xw 0.7864, b 0.7864, x -2.359 and w 1.573, with "
        "the same local derivatives on the arrows.",
        "f6872646": "The computational graph of L = y squared, y = x + tanh(w x), for x = 1.5 "
        "and w = 0.8: x feeds both the product w x, local derivative 0.8, and, by a second "
        "arrow, the sum, local derivative 1; y feeds the final product twice, 2.33 on each "
        "arrow. The boxes show the gradients after backward: L 1, y 4.667, h = 0.8337 with "
        "4.667, w x = 1.2 with 1.424, w 2.135, and x 5.806, the sum over its four paths to L: two "
        "to y, each continued along both arrows into y times y.",
        "t11b": "Left: the loss of each of 300 batches of training on two moons, on a log "
        "scale, for the network of Values (a thick pale blue line) and for the MLP (a thin "
        "black line), "
        "falling noisily from 0.12 to 0.28 in the first epoch to 0.0007 to 0.045 in the last; "
        "the black line lies on the blue one at every step. Right: the decision boundary after "
        "the 300 steps over the 100 training points, blue where the output is below 0.5 and "
        "orange above, a black curve that bends between the upper moon of circles and the lower "
        "moon of squares, with one circle just on the orange side.",
    },
    "notebooks/12_deep_networks.ipynb": {
        "lesson12-03": "Validation accuracy against the learning rate, on a log scale from 0.125 "
        "to 64, for two sigmoid networks with the 1/n starting weights, each point the best of "
        "10 epochs. The 2-layer network rises from about 0.23 at rate 0.125 to about 0.94 at "
        "rate 32 (starred) and falls back to 0.76 at 64; the 10-layer network lies flat between "
        "0.09 and 0.11, at chance, at every rate.",
        "lesson12-08": "A log-scale plot of the size of each layer's weight gradient before "
        "training, for the 64-30x9-10 digits network, from layer 1 next to the input to layer "
        "10, the output. With sigmoid hidden layers it shrinks about fourfold per layer on the "
        "way back, from about 0.2 at layer 10 to about 4e-7 at layer 1; with tanh it stays near "
        "0.05 in every layer; with ReLU between about 0.002 and 0.007.",
        "lesson12-16": "Two contour maps of a ten-layer network's output over the input plane on "
        "one shared colour scale from 0.44 to 0.80, with the XOR points marking the square. "
        "Sigmoid layers with the 1/n scale: a single flat colour, the output 0.4998 everywhere. "
        "ReLU layers with He's starting values: an irregular, angular surface from 0.45 to "
        "0.76, dark at the lower left and light at the upper right.",
        "lesson12-30": "Three log-scale plots of the spread of z over 500 digits in each of the "
        "ten layers, on one scale, for sigmoid, tanh and ReLU hidden layers, with weights of "
        "variance 1/n, Glorot, He and 4/n. Sigmoid: every scale shrinks the spread layer by "
        "layer, 1/n and Glorot to below 1e-6 at layer 10 and even 4/n to about 1e-4. Tanh: all "
        "four stay between about 0.1 and 1. ReLU: He holds the spread near 0.3, 1/n and Glorot "
        "shrink it to about 0.01, and 4/n grows it to about 10.",
        "lesson12-histograms": "A grid of 12 histograms of the activations of the nine hidden "
        "layers, one outline per layer from light (layer 1) to dark (layer 9), for sigmoid, tanh "
        "and ReLU (rows) with weights of variance 1/n, Glorot, He and 4/n (columns). Sigmoid: "
        "spiky histograms between 0.1 and 0.9, in the deep layers bars of one neuron each, none "
        "near 0 or 1. Tanh: with 1/n and Glorot bell curves that narrow towards 0 layer by "
        "layer; with He flat from -1 to 1; with 4/n piled up at -1 and 1. ReLU, positive values "
        "on a log axis: with 1/n and Glorot the peaks move left, from about 0.3 to 0.03, layer "
        "by layer; with He they stay near 0.5; with 4/n they move right, to about 10.",
        "lesson12-34": "Three panels of validation accuracy against the learning rate, on a log "
        "scale from 0.125 to 64 and one accuracy scale, for sigmoid, tanh and ReLU hidden layers; "
        "dashed lines for 2 layers, solid for 10, one colour per starting weights (1/n, Glorot, "
        "He), each best rate starred. Sigmoid: the 2-layer curves rise to about 0.94 near rate "
        "20 to 30; the 10-layer curves lie flat at about 0.1. Tanh: the 2-layer curves reach "
        "about 0.95 near rate 11 to 16 and collapse above 22; the 10-layer ones peak at 0.89 to "
        "0.93 near rates 2 to 4, He's highest. ReLU: the 2-layer curves reach about 0.95 near "
        "rate 11; the 10-layer He curve peaks at 0.88 at rate 2, while 1/n and Glorot stay "
        "below 0.65.",
        "lesson12-longer": "Validation accuracy after each of 40 epochs, each network at the rate "
        "validation chose for 10 epochs, in the first of three draws (seed 0), with a dotted "
        "line at epoch 10. The 2-layer tanh "
        "network (He, rate 16) is above 0.9 from epoch 3 and ends near 0.96. The 10-layer tanh "
        "network (He, rate 2) climbs past 0.85 by epoch 5 and wanders between 0.82 and 0.97. The "
        "10-layer ReLU network with He's weights (rate 2) passes 0.85 at epoch 9, peaks at 0.95 "
        "and ends near 0.84. With the 1/n scale (rate 5.66) it climbs slowly and unsteadily, "
        "from 0.1 to 0.87 at epoch 29, then collapses to about 0.1 from epoch 32. The 10-layer "
        "sigmoid network stays at about 0.1 throughout.",
    },
    "notebooks/13_classification.ipynb": {
        "c08": "Three bar charts of the softmax of the logits z = [2.0, 1.0, 0.1, -1.0] of four "
        "classes, scaled by 0.25, 1 and 4. The order of the bars stays the same but the "
        "probabilities sharpen as the logits spread apart: 0.35, 0.27, 0.22 and 0.16 at scale "
        "0.25; 0.64, 0.23, 0.10 and 0.03 at scale 1; 0.98, 0.02, 0.00 and 0.00 at scale 4.",
        "c19": "Left: the output of one sigmoid neuron learning y = 0 over 300 steps, learning "
        "rate 0.15, from a = 0.82 (dashed) and from a = 0.98 (solid), under the squared error "
        "(vermillion) and under cross-entropy (blue): both cross-entropy curves fall at once, "
        "the one from 0.98 as fast as the one from 0.82, while the squared error from 0.98 "
        "lingers near 1 for about 80 steps and crosses 0.5 only after about 117. Right: dL/dz "
        "against the output a for the label 0: for cross-entropy the straight line a, largest "
        "where a is most wrong; for the squared error the hump 2a times a(1 - a), highest near "
        "a = 0.67 and falling back to almost 0 as a nears 1; dotted lines mark the two starts, "
        "a = 0.82 and 0.98.",
        "c23": "Validation accuracy on 360 digits after one epoch against the learning rate, on "
        "a log axis, four rates to a doubling. Cross-entropy (blue), from 0.125 to 8: it rises "
        "from about 0.39 to a broad plateau of 0.80 to 0.83 from 0.5 to 2.8, its best ringed at "
        "about 0.6 (0.83), then falls to about 0.1 above 4. The squared error (vermillion), from "
        "4 to 128: a narrow peak, within 5 points of its best only from about 19 to 32, its best "
        "ringed at about 27 (0.68), and near 0.1 at both ends.",
        "c24": "Validation accuracy after each of 20 epochs for each loss at its chosen learning "
        "rate: the squared error at 22.6 starts at about 0.67 after epoch 1, cross-entropy at "
        "1.0 at about 0.82; both pass 0.92 by epoch 3, then run side by side between about 0.92 "
        "and 0.96, and both reach 0.964 at epoch 19.",
        "c26": "Six 8 by 8 test digits, each above a bar chart of the softmax probabilities the "
        "cross-entropy network gives the ten digits, green for the label and red for a wrong "
        "answer. Three read right: a 6 with probability 1.00, a 2 with 0.97, a 5 with 1.00. "
        "Three read wrong: a 2 read as 1 with 0.94; an 8 read as 1 with 0.45, and about 0.36 "
        "for 8; a 6 read as 4 with 0.73.",
    },
}


def published(root: Path) -> list[Path]:
    """The notebooks of the site: the lessons and the student copies of the exercises."""
    return sorted(root.glob("notebooks/[0-9][0-9]_*.ipynb")) + sorted(
        root.glob("exercises/[0-9][0-9]_*.ipynb")
    )


def has_image(cell: nbformat.NotebookNode) -> bool:
    outputs = cell.get("outputs", []) if cell.cell_type == "code" else []
    return any(kind in output.get("data", {}) for output in outputs for kind in IMAGES)


def alt_of(cell: nbformat.NotebookNode) -> str | None:
    return cell.metadata.get("mystnb", {}).get("image", {}).get("alt")


def set_alt(cell: nbformat.NotebookNode, text: str) -> bool:
    """Give the cell this alt text; True if that changed anything."""
    if alt_of(cell) == text:
        return False
    cell.metadata.setdefault("mystnb", {}).setdefault("image", {})["alt"] = text
    return True


def targets(root: Path, name: str) -> list[Path]:
    """The files a notebook's texts go into: an exercise's source too, where it has one."""
    source = root / "exercises" / "source" / Path(name).name
    return [root / name] + ([source] if name.startswith("exercises/") and source.exists() else [])


def problems(root: Path, write: bool = False) -> list[str]:
    """What is missing or stale, as 'notebook cell: what'; with write, fix what ALT can."""
    found = []
    for path in published(root):
        name = path.relative_to(root).as_posix()
        cells = {cell.get("id"): cell for cell in nbformat.read(path, as_version=4).cells}
        for cell_id, cell in cells.items():
            if has_image(cell) and cell_id not in ALT.get(name, {}):
                found.append(f"{name} {cell_id}: a figure with no alt text in tools/alt_text.py")
        for cell_id in ALT.get(name, {}):
            if cell_id not in cells or not has_image(cells[cell_id]):
                found.append(f"{name} {cell_id}: no such cell with a figure; drop it from ALT")
    for name, texts in ALT.items():
        if not (root / name).exists():
            found.append(f"{name}: no such notebook; drop it from ALT")
            continue
        for path in targets(root, name):
            notebook = nbformat.read(path, as_version=4)
            changed = False
            for cell in notebook.cells:
                text = texts.get(cell.get("id"))
                if text is not None and alt_of(cell) != text:
                    if write:
                        changed |= set_alt(cell, text)
                    else:
                        found.append(f"{path.relative_to(root)} {cell.id}: alt text not written")
            if changed:
                nbformat.write(notebook, path)
                print(f"wrote the alt texts of {path.relative_to(root)}")
    return found


def main(argv: list[str]) -> int:
    check = argv == ["--check"]
    if argv and not check:
        print(__doc__, file=sys.stderr)
        return 2
    found = problems(ROOT, write=not check)
    for problem in found:
        print(problem, file=sys.stderr)
    if found:
        return 1
    print(f"{sum(map(len, ALT.values()))} figures: every one has its alt text")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
