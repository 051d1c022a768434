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
            assertEquals("device gpu:0 requested but PyTorch sees no CUDA GPU (Engine.getGpuCount()=0); devices"
                    + " available: cpu. Choose one of them (e.g. cpu)",
                    assertThrows(UserError.class, () -> Devices.parse("gpu")).getMessage());
        } else {
            assertTrue(e.getMessage().contains("gpu:" + visible), e.getMessage());
            assertEquals(Device.gpu(0), Devices.parse("gpu"));
        }
    }

    /** A GPU index beyond those present is refused, naming it and the devices there are (issue 27, item 10). */
    @Test
    void gpu7IsRefusedNamingTheDevicesAvailable() {
        String message = assertThrows(UserError.class, () -> Devices.parse("gpu:7")).getMessage();
        assertTrue(message.startsWith("device gpu:7 requested but PyTorch sees ") && message.contains("devices available: cpu")
                && !message.contains("\n"), message);
    }

    @Test
    void checkNameChecksTheFormOnlyAndNamesTheSetting() {
        Devices.checkName("gpu:7", "experiment: device"); // may be present where the spec runs
        Devices.checkName("cpu", "experiment: device");
        assertEquals("experiment: device 'gpu:seven' is not understood; use cpu, gpu or gpu:N (e.g. gpu:0)",
                assertThrows(UserError.class, () -> Devices.checkName("gpu:seven", "experiment: device")).getMessage());
    }
}
