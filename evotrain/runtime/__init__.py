"""The machine evotrain runs on: CPU model, compilation cache, MuJoCo's GL backend."""
