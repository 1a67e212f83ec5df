"""SB3-style logging: :class:`Logger` over stdout, CSV, JSON and TensorBoard writers."""

from evotrain.logging.logger import FORMATS, Logger, configure, make_output_format, run_folder
from evotrain.logging.writers import (
    CSVOutputFormat,
    HumanOutputFormat,
    JSONOutputFormat,
    KVWriter,
    TensorBoardOutputFormat,
)

__all__ = [
    "FORMATS",
    "CSVOutputFormat",
    "HumanOutputFormat",
    "JSONOutputFormat",
    "KVWriter",
    "Logger",
    "TensorBoardOutputFormat",
    "configure",
    "make_output_format",
    "run_folder",
]
