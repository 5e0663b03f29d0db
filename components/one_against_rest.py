"""One class against the rest, fit by liblinear: the work the intent classifier hands to its worker processes.

A module of its own, with no Rasa import, so that each worker process starts in a fraction of a second
(components/intent_classifier.py imports Rasa, and with it TensorFlow).
"""

from __future__ import annotations

from typing import Any, Tuple

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression


def one_against_rest(template: LogisticRegression, X: csr_matrix, y: np.ndarray, label: Any,
                     weight: float) -> Tuple[np.ndarray, np.ndarray]:
    """One class against the rest, as liblinear's one-vs-rest fits it (the class weighs `weight`, the rest
    weigh 1): its weights and intercept."""
    clf = clone(template).set_params(class_weight={True: weight, False: 1.0})
    clf.fit(X, y == label)
    return clf.coef_[0], clf.intercept_
