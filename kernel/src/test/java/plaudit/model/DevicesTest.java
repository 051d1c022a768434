package plaudit.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.junit.jupiter.api.Test;
import plaudit.UserError;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DevicesTest {

    @Test
    void cpuIsTheDefault() {
        assertEquals(Device.cpu(), Devices.parse(null));
        assertEquals(Device.cpu(), Devices.parse(""));
        assertEquals(Device.cpu(), Devices.parse(" CPU "));
    }

    @Test
    void unknownDeviceIsAUserError() {
        UserError e = assertThrows(UserError.class, () -> Devices.parse("tpu"));
        assertTrue(e.getMessage().contains("'tpu'") && e.getMessage().contains("gpu:N"), e.getMessage());
        assertThrows(UserError.class, () -> Devices.parse("gpu:x"));
    }

    @Test
    void aGpuPyTorchCannotSeeIsAnErrorNotACpuRun() {
        int visible = Engine.getEngine("PyTorch").getGpuCount();
        UserError e = assertThrows(UserError.class, () -> Devices.parse("gpu:" + visible));
        if (visible == 0) {
            assertEquals("device gpu:0 requested but no CUDA GPU is visible to PyTorch (Engine.getGpuCount()=0);"
                    + " use --device cpu", assertThrows(UserError.class, () -> Devices.parse("gpu")).getMessage());
        } else {
            assertTrue(e.getMessage().contains("gpu:" + visible), e.getMessage());
            assertEquals(Device.gpu(0), Devices.parse("gpu"));
        }
    }
}
