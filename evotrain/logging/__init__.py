"""SB3-style logging: :class:`Logger` over stdout, CSV, JSON and TensorBoard and W&B writers."""

from evotrain.logging.logger import (
    FORMATS,
    Logger,
    configure,
    default_logger,
    make_output_format,
    run_folder,
)
from evotrain.logging.writers import (
    CSVOutputFormat,
    HumanOutputFormat,
    JSONOutputFormat,
    KVWriter,
    TensorBoardOutputFormat,
    WandbOutputFormat,
)

__all__ = [
    "FORMATS",
    "CSVOutputFormat",
    "HumanOutputFormat",
    "JSONOutputFormat",
    "KVWriter",
    "Logger",
    "TensorBoardOutputFormat",
    "WandbOutputFormat",
    "configure",
    "default_logger",
    "make_output_format",
    "run_folder",
]
